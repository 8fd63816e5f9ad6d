import { Hono } from 'hono';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FailedEventList, FailedEventView } from '../../common/callback-inbox.schema.ts';
import { WeworkCallbackLog } from '../../db/entities/index.ts';
import { parseCallbackEvent } from '../../wecom/events.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { routeCallbackEvent } from '../temporal/event-router.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { readJson } from '../validation.ts';

/** What the re-run route needs. */
export interface EventRerunDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
}

/** Body of `POST /api/wework/events/rerun`. */
const rerunRequestSchema = z.object({ workflowId: z.string().min(1).max(255) });

/** Final states after which Temporal lets the same id start again under ALLOW_DUPLICATE_FAILED_ONLY. */
const RERUNNABLE = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);

/** The workflow types a callback event starts (api/temporal/event-router.ts). */
const EVENT_WORKFLOW_TYPES = ['onboardCustomerWorkflow', 'customerLostWorkflow', 'refreshCustomerWorkflow', 'recordTransferFailureWorkflow', 'syncCorpTagsWorkflow', 'storeStaffMessageWorkflow'];

/** Visibility query of the event workflows' runs that ended without completing. */
const FAILED_EVENTS_QUERY = `WorkflowType IN (${EVENT_WORKFLOW_TYPES.map((type) => `'${type}'`).join(', ')}) AND ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut', 'Canceled')`;

/** At most this many are listed (newest first): more means something systematic, which the reasons of the first show. */
const FAILED_LIMIT = 50;

/**
 * Why a closed run did not complete: the messages of its failure's causes (the activity's error,
 * decoded by the client's codec as `result()` does), or the termination reason; at most 500 characters.
 */
async function closeReason(client: Client, workflowId: string, runId: string): Promise<string | null> {
  const outcome = await client.workflow.getHandle(workflowId, runId, { followRuns: false }).result().then(() => null, (error: unknown) => error);
  const messages: string[] = [];
  for (let cause = (outcome as Error | null)?.cause as Error | undefined; cause; cause = cause.cause as Error | undefined) {
    if (cause.message) messages.push(cause.message);
  }
  const text = messages.join(' ← ') || (outcome instanceof Error ? outcome.message : '');
  return text ? text.slice(0, 500) : null;
}

/** The event workflows whose latest run failed, was terminated, timed out or was cancelled, newest first. */
export async function listFailedEvents(client: Client): Promise<FailedEventView[]> {
  const latest = new Map<string, { runId: string; workflowType: string; closedAt: Date | undefined }>();
  for await (const run of client.workflow.list({ query: FAILED_EVENTS_QUERY, pageSize: 100 })) {
    if (!run.workflowId.startsWith('wecom:') || latest.has(run.workflowId)) continue;
    latest.set(run.workflowId, { runId: run.runId, workflowType: run.type, closedAt: run.closeTime });
    if (latest.size >= FAILED_LIMIT) break;
  }
  const items = await Promise.all([...latest].map(async ([workflowId, run]) => {
    // A later run (a re-run, WeCom redelivering) may have completed or be running: then nothing is left to do.
    const now = await client.workflow.getHandle(workflowId).describe();
    if (!RERUNNABLE.has(now.status.name)) return null;
    const item: FailedEventView = {
      workflowId, workflowType: now.type, status: now.status.name as FailedEventView['status'],
      closedAt: now.closeTime?.toISOString() ?? run.closedAt?.toISOString() ?? null, reason: await closeReason(client, workflowId, now.runId),
    };
    return item;
  }));
  return items.filter((item): item is FailedEventView => item !== null).sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? ''));
}

/**
 * `GET /api/wework/events/failed` (admins): the callback events whose workflow did not complete,
 * with the reason it recorded, for the 系统状态 page's re-run button.
 *
 * `POST /api/wework/events/rerun` (admins): runs a callback event's workflow again, under the same
 * deterministic id, once the cause of its failure is fixed. The event comes from its logged XML and
 * is routed by today's code; Temporal's reuse policy (ALLOW_DUPLICATE_FAILED_ONLY) lets the id start
 * again only after a failed, terminated, timed-out or cancelled run, so an event that completed (or
 * is running) can never be run twice.
 */
export function eventRerunRoutes(deps: EventRerunDeps) {
  return new Hono<AuthEnv>()
    .get('/failed', requirePermission('callbacks.manage'), async (c) => {
      const body: FailedEventList = { items: await listFailedEvents(deps.temporal.client) };
      return c.json(body, 200);
    })
    .post('/rerun', requirePermission('callbacks.manage'), async (c) => {
      const { workflowId } = await readJson(c, rerunRequestSchema);
      const em = deps.em();
      const log = await em.findOne(WeworkCallbackLog, { workflowId, outcome: 'accepted', rawData: { $ne: null } }, { orderBy: { id: 'desc' } });
      if (!log) throw new AppError(404, 'event_not_found', 'No logged callback event started this workflow (or its record was purged).');
      const previous = await deps.temporal.client.workflow.getHandle(workflowId).describe().catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      });
      if (previous && !RERUNNABLE.has(previous.status.name)) {
        throw new AppError(409, 'event_not_failed', `This event's workflow is ${previous.status.name}: only a failed, terminated, timed-out or cancelled one may run again.`);
      }
      const start = routeCallbackEvent(parseCallbackEvent(log.rawData!));
      if (!start || start.workflowId !== workflowId) throw new AppError(409, 'event_not_failed', 'This event no longer starts this workflow.');
      // The new run marks the delivery processed when it finishes (a failed run never did): reset first, so a quick run's mark is not undone.
      await em.nativeUpdate(WeworkCallbackLog, { workflowId }, { processed: false });
      const outcome = await deps.temporal.startEventWorkflow(start);
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'callback.rerun', target: { type: 'callback_log', id: String(log.id) },
        details: { workflowId, previousStatus: previous?.status.name ?? null, outcome }, ip: clientInfo(c).ip,
      });
      return c.json({ workflowId, started: outcome === 'started' }, 202);
    });
}
