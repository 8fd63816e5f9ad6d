import { Hono } from 'hono';
import {
  ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError, type WorkflowExecutionDescription,
} from '@temporalio/client';
import { SYNC_PROGRESS_QUERY, syncProgressSchema, type SyncInput, type SyncProgress, type SyncStatus } from '../../common/customers.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import type { customerSyncWorkflow } from '../../workflows/sync.workflow.ts';
import { recordAudit } from '../auth/audit.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import type { CustomerRouteDeps } from './customers.ts';
import { temporalRunUrl } from '../temporal/temporal-ui.ts';

/** How long GET /sync waits for Temporal before answering without progress. */
const ASK_TIMEOUT_MS = 3_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** The newest sync run: the on-demand id, or a newer one the schedule started. */
async function latestRun(deps: CustomerRouteDeps): Promise<WorkflowExecutionDescription | null> {
  const client = deps.temporal.client;
  const manual = await client.workflow.getHandle(workflowIds.customerSync()).describe().catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  });
  if (manual?.status.name === 'RUNNING') return manual;
  // Scheduled runs have their own ids; visibility lists running runs first, then the latest closed.
  let scheduled: WorkflowExecutionDescription | null = null;
  // The channel-code import runs the same workflow under its own id: it is not a customer sync.
  for await (const run of client.workflow.list({ query: `WorkflowType = 'customerSyncWorkflow' AND WorkflowId != '${workflowIds.contactWayImport()}'`, pageSize: 1 })) {
    if (run.workflowId !== workflowIds.customerSync()) scheduled = await client.workflow.getHandle(run.workflowId, run.runId).describe();
    break;
  }
  if (!manual) return scheduled;
  if (!scheduled) return manual;
  if (scheduled.status.name === 'RUNNING') return scheduled;
  return scheduled.startTime > manual.startTime ? scheduled : manual;
}

/**
 * Starts a sync now through the daily schedule's `trigger`, so the schedule's overlap policy (SKIP)
 * keeps a manual and a scheduled sync from ever running together, and waits (briefly) until the
 * new run is visible, so the answer describes it. Without the schedule (its creation at start-up
 * is best effort) the run is started directly under the on-demand id.
 */
async function startManualSync(deps: CustomerRouteDeps, before: WorkflowExecutionDescription | null, input: SyncInput): Promise<void> {
  const client = deps.temporal.client;
  try {
    await client.schedule.getHandle(workflowIds.customerSyncSchedule()).trigger(ScheduleOverlapPolicy.SKIP);
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.workflow.start<typeof customerSyncWorkflow>('customerSyncWorkflow', {
      taskQueue: deps.temporal.taskQueueFor('customerSyncWorkflow'),
      workflowId: workflowIds.customerSync(),
      args: [input],
      // Two clicks (or two marketers) at once share one run instead of syncing twice.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: '客户数据同步 customer sync (manual)',
    });
    return;
  }
  // Visibility lists the triggered run a moment later.
  for (let waited = 0; waited < 3_000; waited += 100) {
    const latest = await latestRun(deps);
    if (latest && latest.runId !== before?.runId) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Progress of a run: its query while it runs, its result once it completed; null when it cannot be had. */
async function progressOf(deps: CustomerRouteDeps, run: WorkflowExecutionDescription): Promise<SyncProgress | null> {
  const handle = deps.temporal.client.workflow.getHandle(run.workflowId, run.runId);
  const answer = run.status.name === 'COMPLETED'
    ? handle.result()
    // A query needs a worker: without one the page shows the run's status without figures.
    : handle.query<SyncProgress>(SYNC_PROGRESS_QUERY);
  const value = await withTimeout(answer.catch(() => null), ASK_TIMEOUT_MS);
  const parsed = syncProgressSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A sync run as the dashboard shows it: status, progress, and its page in the Temporal UI. */
export async function syncRunView(deps: CustomerRouteDeps, run: WorkflowExecutionDescription | null): Promise<SyncStatus> {
  if (!run) return { run: null };
  return {
    run: {
      workflowId: run.workflowId, runId: run.runId, status: run.status.name, running: run.status.name === 'RUNNING',
      progress: await progressOf(deps, run),
      temporalUiUrl: temporalRunUrl(deps.temporalUiUrl, deps.temporal.namespace, run.workflowId, run.runId),
    },
  };
}

async function status(deps: CustomerRouteDeps): Promise<SyncStatus> {
  return syncRunView(deps, await latestRun(deps));
}

/** `/api/sync`: the customer sync's progress (everyone) and the "sync now" button (admin, marketer). */
export function syncRoutes(deps: CustomerRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/', requirePermission('customers.view'), async (c) => c.json(await status(deps), 200))
    .post('/', requirePermission('customers.sync'), async (c) => {
      const before = await latestRun(deps);
      const alreadyRunning = before?.status.name === 'RUNNING';
      const input: SyncInput = { version: 1, trigger: 'manual' };
      if (!alreadyRunning) {
        await startManualSync(deps, before, input);
        const actor = c.get('auth').user;
        await recordAudit(deps.em(), {
          actor: { id: actor.id, username: actor.username }, action: 'sync.start', target: { type: 'workflow', id: workflowIds.customerSync() },
          details: {}, ip: clientInfo(c).ip,
        });
      }
      return c.json({ ...(await status(deps)), started: !alreadyRunning }, alreadyRunning ? 200 : 202);
    });
}
