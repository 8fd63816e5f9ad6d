import { z } from 'zod';
import { MAIN_TASK_QUEUE } from './common/task-queues.ts';

/**
 * The environment contract of SPEC §3: the only module that reads `process.env`.
 * Every variable is optional in development; `npm run dev` supplies embedded defaults.
 */

const portSchema = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number between 1 and 65535` })
    .int({ error: `${name} must be a whole number between 1 and 65535` })
    .min(1, { error: `${name} must be a whole number between 1 and 65535` })
    .max(65535, { error: `${name} must be a whole number between 1 and 65535` });

const postgresUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, { error: 'DATABASE_URL must look like postgres://user:password@host:5432/database' });

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-_]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, {
    error: 'TEMPORAL_ADDRESS must be host:port, e.g. temporal.internal:7233',
  });

const httpUrl = (name: string) =>
  z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL, e.g. https://qyapi.weixin.qq.com` });

/** A 32-byte key given as 64 hex characters or base64; encrypts secrets at rest. */
const secretKey = z
  .string()
  .refine((value) => decodeSecretKey(value) !== null, {
    error: 'APP_SECRET_KEY must be 32 bytes as 64 hex characters or base64 (generate one: openssl rand -hex 32)',
  });

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test'], {
    error: 'NODE_ENV must be development, production or test',
  }).default('development')),
  PORT: z.preprocess(emptyAsUndefined, portSchema('PORT').default(3000)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  TEMPORAL_ADDRESS: z.preprocess(emptyAsUndefined, hostPort.optional()),
  TEMPORAL_NAMESPACE: z.preprocess(emptyAsUndefined, z.string().min(1).default('default')),
  TEMPORAL_TASK_QUEUE: z.preprocess(emptyAsUndefined, z.string().min(1).default(MAIN_TASK_QUEUE)),
  TEMPORAL_UI_URL: z.preprocess(emptyAsUndefined, httpUrl('TEMPORAL_UI_URL').optional()),
  /** This server as customers reach it (tracked links /l/…, the consent page /c/…); default http://localhost:PORT. */
  PUBLIC_URL: z.preprocess(emptyAsUndefined, httpUrl('PUBLIC_URL').optional()),
  WECOM_API_BASE: z.preprocess(emptyAsUndefined, httpUrl('WECOM_API_BASE').default('https://qyapi.weixin.qq.com')),
  WECOM_CORP_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
  WECOM_CORP_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
  WECOM_AGENT_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^\d+$/, { error: 'WECOM_AGENT_ID must be the numeric AgentID of the app' }).optional()),
  WECOM_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
  WECOM_ENCODING_AES_KEY: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9]{43}$/, {
    error: 'WECOM_ENCODING_AES_KEY must be the 43-character EncodingAESKey from the WeCom admin console',
  }).optional()),
  APP_SECRET_KEY: z.preprocess(emptyAsUndefined, secretKey.optional()),
  ADMIN_USERNAME: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8, { error: 'ADMIN_PASSWORD must be at least 8 characters' }).optional()),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('.data')),
  // automations: the weather trigger of journeys ('simulated' in dev and tests; 'open-meteo' for the clinic's real weather).
  WEATHER_PROVIDER: z.preprocess(emptyAsUndefined, z.enum(['simulated', 'open-meteo'], { error: 'WEATHER_PROVIDER must be simulated or open-meteo' }).default('simulated')),
  WEATHER_LATITUDE: z.preprocess(emptyAsUndefined, z.coerce.number().min(-90).max(90).default(31.23)),
  WEATHER_LONGITUDE: z.preprocess(emptyAsUndefined, z.coerce.number().min(-180).max(180).default(121.47)),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['debug', 'info', 'warn', 'error'], {
    error: 'LOG_LEVEL must be debug, info, warn or error',
  }).default('info')),
});

/** Every variable of the contract, for checks such as "the compose file passes only known ones". */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** The validated, frozen configuration of one process. */
export type AppConfig = Readonly<z.infer<typeof envSchema>>;

/** Raised when the environment breaks the contract; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates an environment (default: `process.env`) against the contract of SPEC §3. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const given = env[variable];
    // Never echo a credential (a DATABASE_URL carries its password) into logs.
    const sensitive = /SECRET|PASSWORD|TOKEN|AES_KEY|DATABASE_URL/.test(variable);
    const shown = sensitive || given === undefined
      ? ''
      : ` (got "${given.length > 60 ? `${given.slice(0, 60)}…` : given}")`;
    const message = issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`;
    throw new ConfigError(`Invalid environment: ${message}${shown}`);
  }
  return Object.freeze(parsed.data);
}

/** Checks what a production process cannot run without, beyond per-variable validity. */
export function requireForServices(config: AppConfig, role: 'api' | 'worker'): void {
  if (!config.DATABASE_URL) {
    throw new ConfigError(
      'Invalid environment: DATABASE_URL is not set (point it at PostgreSQL, or use `npm run dev` for an embedded one)',
    );
  }
  if (!config.TEMPORAL_ADDRESS) {
    throw new ConfigError(
      'Invalid environment: TEMPORAL_ADDRESS is not set (point it at a Temporal frontend such as localhost:7233, or use `npm run dev`)',
    );
  }
  if (!config.APP_SECRET_KEY) {
    throw new ConfigError(
      `Invalid environment: APP_SECRET_KEY is not set; the ${role} needs it to read encrypted secrets (generate one: openssl rand -hex 32)`,
    );
  }
}

/** Decodes APP_SECRET_KEY into its 32 raw bytes, or null if it is not a 32-byte key. */
export function decodeSecretKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

/** Runs an entry point's start-up, turning a ConfigError into one clear line and exit code 1. */
export async function runEntryPoint(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
