import { isIP } from 'node:net';
import { z } from 'zod';
import { BULK_QUEUE_SUFFIX, MAIN_TASK_QUEUE, WORKLOADS } from './common/task-queues.ts';

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

const booleanFlag = (name: string) =>
  z.enum(['true', 'false', '1', '0'], { error: `${name} must be true or false` }).transform((value) => value === 'true' || value === '1');

/** Named address groups TRUSTED_PROXIES accepts besides CIDRs. */
export const PROXY_GROUPS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** An IPv4/IPv6 address with an optional /prefix. */
function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

const commaList = (value: string) => value.split(',').map((item) => item.trim()).filter((item) => item !== '');

const trustedProxies = z.string().transform(commaList).refine(
  (items) => items.every((item) => item in PROXY_GROUPS || isCidr(item)),
  { error: 'TRUSTED_PROXIES must be a comma-separated list of CIDRs or addresses, `loopback` or `private`, e.g. 10.0.0.0/8,loopback' },
);

const originList = z.string().transform(commaList).refine(
  (items) => items.every((item) => {
    try {
      const url = new URL(item);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === item.replace(/\/$/, '');
    } catch {
      return false;
    }
  }),
  { error: 'ALLOWED_ORIGINS must be comma-separated origins such as https://crm.example.com (scheme, host, optional port; no path)' },
);

const workloadList = z.string().transform(commaList)
  .refine((items) => items.length > 0 && items.every((item) => (WORKLOADS as readonly string[]).includes(item)), {
    error: 'WORKER_TASK_QUEUES must be realtime, bulk or realtime,bulk',
  })
  .transform((items) => WORKLOADS.filter((workload) => items.includes(workload)));

const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test'], {
    error: 'NODE_ENV must be development, production or test',
  }).default('development')),
  PORT: z.preprocess(emptyAsUndefined, portSchema('PORT').default(3000)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  TEMPORAL_ADDRESS: z.preprocess(emptyAsUndefined, hostPort.optional()),
  TEMPORAL_NAMESPACE: z.preprocess(emptyAsUndefined, z.string().min(1).default('default')),
  /** The realtime task queue (callback events, welcome); the bulk queue is this name plus `-bulk` (common/task-queues.ts). */
  TEMPORAL_TASK_QUEUE: z.preprocess(emptyAsUndefined, z.string().min(1).refine((name) => !name.endsWith(BULK_QUEUE_SUFFIX), {
    error: `TEMPORAL_TASK_QUEUE names the realtime queue; the bulk queue is that name plus ${BULK_QUEUE_SUFFIX}, so it must not end with ${BULK_QUEUE_SUFFIX}`,
  }).default(MAIN_TASK_QUEUE)),
  /** Which queues `npm run start:worker` polls: realtime, bulk, or both (comma-separated), so production can scale them apart. */
  WORKER_TASK_QUEUES: z.preprocess(emptyAsUndefined, workloadList.default([...WORKLOADS])),
  /** Activities one worker runs at once on the bulk queue; the realtime queue keeps the SDK's 100. */
  WORKER_BULK_ACTIVITY_CONCURRENCY: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'WORKER_BULK_ACTIVITY_CONCURRENCY must be a whole number' })
    .int({ error: 'WORKER_BULK_ACTIVITY_CONCURRENCY must be a whole number' }).min(1).max(1_000).default(10)),
  /** Bulk activities started per second across all workers (enforced by the Temporal server), under WeCom's 10,000 calls/min per API. */
  WORKER_BULK_ACTIVITIES_PER_SECOND: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'WORKER_BULK_ACTIVITIES_PER_SECOND must be a number' })
    .positive({ error: 'WORKER_BULK_ACTIVITIES_PER_SECOND must be above 0' }).max(10_000).default(100)),
  /**
   * The worker's CPU niceness (0 to 19): on a host it shares with the API, callbacks are acknowledged
   * first (WeCom gives up on an event after three 5 s timeouts; the worker only catches up later).
   */
  WORKER_NICE: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'WORKER_NICE must be a whole number from 0 to 19' })
    .int({ error: 'WORKER_NICE must be a whole number from 0 to 19' }).min(0, { error: 'WORKER_NICE must be a whole number from 0 to 19' }).max(19, { error: 'WORKER_NICE must be a whole number from 0 to 19' }).default(10)),
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
  // The key before the current one, during a rotation: payloads and secrets sealed under it still open.
  APP_SECRET_KEY_PREVIOUS: z.preprocess(emptyAsUndefined, secretKey.optional()),
  WECOM_CALLBACK_MAX_SKEW_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'WECOM_CALLBACK_MAX_SKEW_SECONDS must be a whole number of seconds' })
    .int({ error: 'WECOM_CALLBACK_MAX_SKEW_SECONDS must be a whole number of seconds' }).min(1).default(300)),
  ADMIN_USERNAME: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8, { error: 'ADMIN_PASSWORD must be at least 8 characters' }).optional()),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('.data')),
  // ── privacy & security settings (helper "privacy") ──
  /** Proxies whose X-Forwarded-For is believed: CIDRs, addresses, `loopback` or `private`, comma-separated. */
  TRUSTED_PROXIES: z.preprocess(emptyAsUndefined, trustedProxies.default([])),
  /** Origins besides the API's own that may call `POST /api/auth/login` from a browser. */
  ALLOWED_ORIGINS: z.preprocess(emptyAsUndefined, originList.default([])),
  /** Send the session cookie with `Secure`; defaults to true when NODE_ENV=production. */
  COOKIE_SECURE: z.preprocess(emptyAsUndefined, booleanFlag('COOKIE_SECURE').optional()),
  /** Connect to Temporal over TLS (implied by a client certificate or an API key). */
  TEMPORAL_TLS: z.preprocess(emptyAsUndefined, booleanFlag('TEMPORAL_TLS').optional()),
  /** mTLS client certificate and key (PEM file paths), e.g. for a self-hosted cluster or Temporal Cloud. */
  TEMPORAL_TLS_CERT: z.preprocess(emptyAsUndefined, z.string().optional()),
  TEMPORAL_TLS_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** CA bundle (PEM file path) for a cluster whose certificate is not signed by a public CA. */
  TEMPORAL_TLS_CA: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** API key (Temporal Cloud); sent as a bearer token over TLS. */
  TEMPORAL_API_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
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
    const sensitive = /SECRET|PASSWORD|TOKEN|AES_KEY|API_KEY|DATABASE_URL/.test(variable);
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

/** Whether the session cookie is marked Secure: COOKIE_SECURE when set, else production. */
export function secureCookies(config: Pick<AppConfig, 'COOKIE_SECURE' | 'NODE_ENV'>): boolean {
  return config.COOKIE_SECURE ?? config.NODE_ENV === 'production';
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
