import { Hono } from 'hono';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError } from '@temporalio/client';
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

/**
 * `POST /api/wework/events/rerun` (admins): runs a callback event's workflow again, under the same
 * deterministic id, once the cause of its failure is fixed. The event comes from its logged XML and
 * is routed by today's code; Temporal's reuse policy (ALLOW_DUPLICATE_FAILED_ONLY) lets the id start
 * again only after a failed, terminated, timed-out or cancelled run, so an event that completed (or
 * is running) can never be run twice.
 */
export function eventRerunRoutes(deps: EventRerunDeps) {
  return new Hono<AuthEnv>()
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
