import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { RequestContext } from '@mikro-orm/core';
import { decodeSecretKey, loadConfig, requireForServices, runEntryPoint, type AppConfig } from '../config.ts';
import { createWeComAccess } from '../activities/wecom-access.ts';
import { migrateToLatest, openOrm } from '../db/orm.ts';
import { SecretBox } from '../db/secret-box.ts';
import { saveWeworkCredentials } from '../db/wework-config.store.ts';
import { createApp } from './app.ts';
import { bootstrapAdmin } from './auth/bootstrap-admin.ts';
import { ensureSearchAttributes } from './temporal/search-attributes.ts';
import { ensureBirthdaySchedule } from './temporal/birthday-schedule.ts';
import { ensureSyncSchedule } from './temporal/sync-schedule.ts';
import { createTemporalGateway } from './temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from './wework/callback-credentials.ts';
import { startCallbackReplayer } from './wework/callback-replayer.ts';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** A started API server and how to stop it. */
export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/**
 * The composition root: opens the database (migrating it), seeds WeCom credentials from WECOM_*,
 * connects Temporal lazily and serves the app.
 */
export async function startApi(config: AppConfig): Promise<RunningApi> {
  requireForServices(config, 'api');
  const orm = await openOrm(config.DATABASE_URL!);
  const applied = await migrateToLatest(orm);
  if (applied.length > 0) console.log(`[api] applied migrations: ${applied.join(', ')}`);
  const box = new SecretBox(decodeSecretKey(config.APP_SECRET_KEY!)!);
  await seedWeworkConfigFromEnv(config, orm.em.fork(), box);
  await bootstrapAdmin(orm.em.fork(), config);

  // Best effort: a cluster may deny operator calls (e.g. a cloud API key without admin rights);
  // the API still serves, and workflows still run, only without their search attributes.
  void ensureSearchAttributes(config.TEMPORAL_ADDRESS!, config.TEMPORAL_NAMESPACE)
    .then((added) => { if (added.length > 0) console.log(`[api] registered Temporal search attributes: ${added.join(', ')}`); })
    .catch((error: Error) => console.warn(`[api] could not register Temporal search attributes (${error.message}); an operator can add them with \`temporal operator search-attribute create\``));
  const temporal = createTemporalGateway({
    address: config.TEMPORAL_ADDRESS!,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  });
  // Best effort, like the search attributes: without the schedule the dashboard's button still syncs.
  void ensureSyncSchedule(temporal.client, temporal.taskQueue)
    .then((outcome) => { if (outcome === 'created') console.log('[api] created the daily customer-sync schedule (Temporal Schedule sync:customers:daily)'); })
    .catch((error: Error) => console.warn(`[api] could not create or update the customer-sync schedule (${error.message}); the dashboard's sync button still works`));
  // Best effort too: without it an operator runs a day's greetings with POST /api/automations/birthdays/run.
  void ensureBirthdaySchedule(temporal.client, temporal.taskQueue, orm.em.fork())
    .then((outcome) => { if (outcome === 'created') console.log('[api] created the daily birthday-greetings schedule (Temporal Schedule automations:birthdays:daily)'); })
    .catch((error: Error) => console.warn(`[api] could not create or update the birthday schedule (${error.message})`));
  const app = createApp({
    em: () => orm.em.fork(),
    temporal,
    temporalUiUrl: config.TEMPORAL_UI_URL ?? null,
    version: packageJson.version,
    dashboardDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
    secureCookies: config.NODE_ENV === 'production',
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    callbackCrypto: createCallbackCryptoSource({ em: () => orm.em.fork(), box }),
    box,
    wecomApiBase: config.WECOM_API_BASE,
    // Built per request from the stored credentials: dashboard calls are rare, and a Secret changed
    // on the configuration page then applies at once (the token itself is shared through the database).
    wecom: () => createWeComAccess({ orm, box, apiBase: config.WECOM_API_BASE }),
  });
  // Deliveries that failed while Temporal was down are started once it is back (WeCom gave up).
  const replayer = startCallbackReplayer({ em: () => orm.em.fork(), temporal });
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
      await replayer.stop();
      await temporal.close();
      await orm.close();
    },
  };
}

/** WECOM_* variables seed the configuration at start (SPEC §3); the dashboard may change it later. */
async function seedWeworkConfigFromEnv(config: AppConfig, em: Parameters<typeof saveWeworkCredentials>[0], box: SecretBox) {
  const { WECOM_CORP_ID, WECOM_CORP_SECRET, WECOM_AGENT_ID, WECOM_TOKEN, WECOM_ENCODING_AES_KEY } = config;
  const given = [WECOM_CORP_ID, WECOM_CORP_SECRET, WECOM_AGENT_ID, WECOM_TOKEN, WECOM_ENCODING_AES_KEY];
  if (given.every((value) => value === undefined)) return;
  if (given.some((value) => value === undefined)) {
    console.warn('[api] some WECOM_* variables are set but not all five; the WeCom configuration was not seeded.');
    return;
  }
  await saveWeworkCredentials(em, box, {
    corpId: WECOM_CORP_ID!, corpSecret: WECOM_CORP_SECRET!, agentId: WECOM_AGENT_ID!, token: WECOM_TOKEN!, encodingAesKey: WECOM_ENCODING_AES_KEY!,
  });
}

if (import.meta.main) {
  await runEntryPoint(async () => {
    const api = await startApi(loadConfig());
    console.log(`[api] listening on ${api.url}`);
    const stop = () => { void api.close().then(() => process.exit(0)); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
