import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ComponentHealth, HealthReport, ProbeResult, PublicHealth } from '../../common/health.schema.ts';
import { WORKLOADS, type Workload } from '../../common/task-queues.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { readWeworkConfigSummary } from '../../db/wework-config.store.ts';
import { requirePermission, type AuthEnv } from '../middleware/auth.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { temporalWorkflowsUrl } from '../temporal/temporal-ui.ts';
import type { CallbackInbox } from '../wework/callback-inbox.ts';

/** What the health routes need from the composition root. */
export interface HealthDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
  temporalUiUrl: string | null;
  version: string;
  /** The callback inbox, whose backlog the report includes. */
  callbackInbox?: CallbackInbox;
}

/** A backlog older than this means events wait for Temporal or a relay (WeCom's WelcomeCode lasts 20 s). */
const INBOX_STALE_SECONDS = 60;

async function inboxHealth(deps: HealthDeps): Promise<HealthReport['components']['inbox']> {
  if (!deps.callbackInbox) return undefined;
  const read = await timed(() => deps.callbackInbox!.backlog());
  if (!read.value) return { ok: false, status: 'unknown', backlog: 0, oldestAgeSeconds: null, deadLetters: 0, detail: 'The inbox backlog could not be read.', latencyMs: read.latencyMs };
  const { pending, oldestPendingAgeSeconds, dead } = read.value;
  const stale = (oldestPendingAgeSeconds ?? 0) > INBOX_STALE_SECONDS;
  return {
    ok: !stale,
    status: stale ? 'backlogged' : dead > 0 ? 'dead-letters' : 'up',
    backlog: pending,
    oldestAgeSeconds: oldestPendingAgeSeconds,
    deadLetters: dead,
    latencyMs: read.latencyMs,
    ...(stale ? { detail: `${pending} callback events wait to start; the oldest for ${oldestPendingAgeSeconds} s. Is Temporal up?` } : {}),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: Error; latencyMs: number }> {
  const started = performance.now();
  try {
    const value = await fn();
    return { value, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { error: error as Error, latencyMs: Math.round(performance.now() - started) };
  }
}

/** Checks every part the product stands on; cheap enough to poll every few seconds. */
export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const [db, temporal, pollers, inbox] = await Promise.all([
    timed(() => deps.em().getConnection().execute('select 1')),
    timed(() => deps.temporal.ping()),
    timed(() => deps.temporal.countPollers()),
    inboxHealth(deps),
  ]);
  const database: ComponentHealth = db.error
    ? { ok: false, status: 'down', detail: `PostgreSQL is unreachable: ${db.error.message}. Check DATABASE_URL and that the server is running.`, latencyMs: db.latencyMs }
    : { ok: true, status: 'up', latencyMs: db.latencyMs };
  const temporalHealth: ComponentHealth = temporal.error
    ? { ok: false, status: 'down', detail: `Temporal is unreachable: ${temporal.error.message}. Check TEMPORAL_ADDRESS and that the server is running.`, latencyMs: temporal.latencyMs }
    : { ok: true, status: 'up', latencyMs: temporal.latencyMs };
  // Both queues need a worker: without the realtime one no welcome is sent, without the bulk one no campaign or sync runs.
  const countOf = (workload: Workload) => (pollers.value ? Math.min(pollers.value[workload].workflow, pollers.value[workload].activity) : 0);
  const unpolled = WORKLOADS.filter((workload) => countOf(workload) === 0);
  const count = Math.min(...WORKLOADS.map(countOf));
  const worker = pollers.error
    ? { ok: false, status: 'unknown', pollers: 0, detail: 'Cannot ask Temporal about workers while it is unreachable.' }
    : unpolled.length === 0
      ? { ok: true, status: 'up', pollers: count }
      : {
        ok: false, status: 'no-pollers', pollers: 0,
        detail: `No worker polls the ${unpolled.map((workload) => `${workload} task queue (${deps.temporal.taskQueues[workload]})`).join(' or the ')}: start one with \`npm run start:worker\` (it polls both unless WORKER_TASK_QUEUES says otherwise; npm run dev starts it for you).`,
      };
  const wecomSummary = db.error ? null : await readWeworkConfigSummary(deps.em()).catch(() => null);
  const wecom = wecomSummary?.configured
    ? { ok: true, status: 'configured', configured: true, corpId: wecomSummary.corpId }
    : {
        ok: false,
        status: 'not-configured',
        configured: false,
        corpId: null,
        detail: 'WeCom is not configured yet: enter CorpID, Secret, AgentID, Token and EncodingAESKey, or set the WECOM_* variables.',
      };
  return {
    // WeCom's configuration is reported but does not make the service unhealthy: a new install runs without it.
    ok: database.ok && temporalHealth.ok && worker.ok,
    version: deps.version,
    checkedAt: new Date().toISOString(),
    temporalUiUrl: deps.temporalUiUrl,
    temporalWorkflowsUrl: temporalWorkflowsUrl(deps.temporalUiUrl, deps.temporal.namespace),
    components: { database, temporal: temporalHealth, worker, wecom, ...(inbox ? { inbox } : {}) },
  };
}

/**
 * `GET /api/health` (public: load balancers and the dev orchestrator poll it): only `up` (200) or
 * `down` (503). What is down, versions, the CorpID and the Temporal UI address are for signed-in
 * users (`/api/health/details`): a stranger learns nothing about the installation.
 */
export function healthStatusRoutes(deps: HealthDeps) {
  return new Hono().get('/', async (c) => {
    const report = await checkHealth(deps);
    const body: PublicHealth = { status: report.ok ? 'up' : 'down' };
    return report.ok ? c.json(body, 200) : c.json(body, 503);
  });
}

/**
 * `GET /api/health/details` (signed in, `system.view`): the full report, 200 when healthy, 503
 * otherwise with the same body; `POST /api/health/probe` (`system.probe`): starts a real workflow,
 * so viewers may not.
 */
export function healthProbeRoutes(deps: HealthDeps) {
  return new Hono<AuthEnv>()
    .get('/details', requirePermission('system.view'), async (c) => {
      const report = await checkHealth(deps);
      return report.ok ? c.json(report, 200) : c.json(report, 503);
    })
    .post('/probe', requirePermission('system.probe'), async (c) => {
      const started = performance.now();
      try {
        const { runId, result } = await deps.temporal.runHealthProbe();
        const body: ProbeResult = {
          ok: result.databaseOk,
          workflowId: result.workflowId,
          runId,
          roundTripMs: Math.round(performance.now() - started),
          workerIdentity: result.workerIdentity,
          databaseOk: result.databaseOk,
          ...(result.databaseError ? { error: `The worker cannot reach PostgreSQL: ${result.databaseError}` } : {}),
        };
        return c.json(body, body.ok ? 200 : 503);
      } catch (error) {
        const body: ProbeResult = {
          ok: false,
          workflowId: workflowIds.healthProbe(deps.temporal.taskQueueFor('healthProbeWorkflow')),
          runId: null,
          roundTripMs: Math.round(performance.now() - started),
          workerIdentity: null,
          databaseOk: false,
          error: `The probe workflow did not complete: ${(error as Error).message}. Is a worker running?`,
        };
        return c.json(body, 503);
      }
    });
}
