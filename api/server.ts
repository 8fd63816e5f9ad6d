import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { RequestContext } from '@mikro-orm/core';
import { decodeSecretKey, loadConfig, requireForServices, runEntryPoint, secureCookies, type AppConfig } from '../config.ts';
import { createWeComAccess } from '../activities/wecom-access.ts';
import { migrateToLatest, openOrm } from '../db/orm.ts';
import { SecretBox } from '../db/secret-box.ts';
import { resealWeworkSecrets } from '../db/secret-reseal.ts';
import { createLogger, setLogLevel } from '../logging/logger.ts';
import { createApp } from './app.ts';
import { bootstrapAdmin } from './auth/bootstrap-admin.ts';
import { temporalConnectionSecurity } from './temporal/connection-security.ts';
import { ensureSearchAttributes } from './temporal/search-attributes.ts';
import { ensureClinicSchedulesAtStart } from './temporal/clinic-schedules.ts';
import { createTemporalGateway } from './temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from './wework/callback-credentials.ts';
import { createCallbackInbox } from './wework/callback-inbox.ts';
import { seedWeworkConfigFromEnv } from './wework/seed-config.ts';

const log = createLogger('api');

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** A started API server and how to stop it. */
export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/**
 * The composition root: opens the database (migrating it), seeds WeCom credentials from WECOM_* (only if none is stored),
 * connects Temporal lazily and serves the app.
 */
export async function startApi(config: AppConfig): Promise<RunningApi> {
  requireForServices(config, 'api');
  setLogLevel(config.LOG_LEVEL);
  const orm = await openOrm(config.DATABASE_URL!);
  const applied = await migrateToLatest(orm);
  if (applied.length > 0) log.info(`applied migrations: ${applied.join(', ')}`);
  const secretKey = decodeSecretKey(config.APP_SECRET_KEY!)!;
  const previousSecretKey = config.APP_SECRET_KEY_PREVIOUS ? decodeSecretKey(config.APP_SECRET_KEY_PREVIOUS) : null;
  const box = new SecretBox(secretKey, [previousSecretKey]);
  const resealed = await resealWeworkSecrets(orm.em.fork(), box);
  if (resealed > 0) log.info(`re-sealed ${resealed} stored WeCom secret(s) under the new APP_SECRET_KEY; APP_SECRET_KEY_PREVIOUS can go once every process runs with the new key`);
  await seedWeworkConfigFromEnv(config, orm.em.fork(), box);
  await bootstrapAdmin(orm.em.fork(), config);

  // Best effort: a cluster may deny operator calls (e.g. a cloud API key without admin rights);
  // the API still serves, and workflows still run, only without their search attributes.
  const temporalSecurity = temporalConnectionSecurity(config);
  void ensureSearchAttributes(config.TEMPORAL_ADDRESS!, config.TEMPORAL_NAMESPACE, temporalSecurity)
    .then((added) => { if (added.length > 0) log.info(`registered Temporal search attributes: ${added.join(', ')}`); })
    .catch((error: Error) => log.warn(`could not register Temporal search attributes (${error.message}); an operator can add them with \`temporal operator search-attribute create\``));
  const temporal = createTemporalGateway({
    address: config.TEMPORAL_ADDRESS!,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    payloadKeys: { current: secretKey, previous: previousSecretKey },
    security: temporalSecurity,
  });
  // Best effort, like the search attributes: without the customer-sync schedule the dashboard's button
  // still syncs; without the retention one the settings wait for the next start that reaches Temporal;
  // without the birthday one an operator runs a day's greetings with POST /api/automations/birthdays/run.
  // All run at clinic hours in the clinic's time zone (clinic_settings.time_zone). A Temporal still
  // starting is waited for (every 10 s, up to 10 minutes).
  void ensureClinicSchedulesAtStart(temporal, () => orm.em.fork(), (outcomes) => {
    for (const [name, outcome] of Object.entries(outcomes)) {
      if (outcome.status === 'rejected') log.warn(`could not bring the ${name} schedule up to date (${(outcome.reason as Error).message})`);
      else if (outcome.value === 'created') log.info(`created the daily ${name} schedule`);
    }
  })
    .catch((error: Error) => log.warn(`could not read the clinic's time zone for the daily schedules (${error.message})`));
  // Callbacks are made durable in the inbox and started from it, at once and by the relay.
  const callbackInbox = createCallbackInbox({ databaseUrl: config.DATABASE_URL!, temporal });
  const app = createApp({
    em: () => orm.em.fork(),
    temporal,
    temporalUiUrl: config.TEMPORAL_UI_URL ?? null,
    version: packageJson.version,
    dashboardDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
    secureCookies: secureCookies(config),
    hsts: config.NODE_ENV === 'production',
    trustedProxies: config.TRUSTED_PROXIES,
    allowedOrigins: config.ALLOWED_ORIGINS,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    callbackCrypto: createCallbackCryptoSource({ em: () => orm.em.fork(), box }),
    callbackInbox,
    callbackMaxSkewSeconds: config.WECOM_CALLBACK_MAX_SKEW_SECONDS,
    box,
    wecomApiBase: config.WECOM_API_BASE,
    // Built per request from the stored credentials: dashboard calls are rare, and a Secret changed
    // on the configuration page then applies at once (the token itself is shared through the database).
    wecom: () => createWeComAccess({ orm, box, apiBase: config.WECOM_API_BASE }),
  });
  // Each request gets its own identity map, so no entity leaks between users. `env` carries the
  // socket, from which the sign-in rate limit reads the client address.
  const handler = (request: Request, env: unknown) => RequestContext.create(orm.em, () => app.fetch(request, env));
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: handler, port: config.PORT, hostname: config.HOST }, () => resolve(s));
  });
  return {
    url: `http://localhost:${config.PORT}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await callbackInbox.close();
      await temporal.close();
      await orm.close();
    },
  };
}

if (import.meta.main) {
  await runEntryPoint(async () => {
    const api = await startApi(loadConfig());
    log.notice(`listening on ${api.url}`);
    const stop = () => { void api.close().then(() => process.exit(0)); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
