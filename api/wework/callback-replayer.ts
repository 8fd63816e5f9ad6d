import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WeworkCallbackLog } from '../../db/entities/index.ts';
import { parseCallbackEvent } from '../../wecom/events.ts';
import { routeCallbackEvent } from '../temporal/event-router.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';

/** A running replayer and how to stop it. */
export interface CallbackReplayer {
  /** Replays what is waiting now; resolves with how many workflows it started or found started. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * WeCom retries a callback only three times within seconds. When Temporal was down for longer,
 * the deliveries are kept as `failed` rows with their decrypted XML; this loop starts their
 * workflows once Temporal answers again. The workflow id is the event's dedupe key, so a row whose
 * event WeCom's own retry already delivered is a harmless duplicate. Several API processes may
 * run it: rows are claimed with SKIP LOCKED.
 */
export function startCallbackReplayer(deps: { em: () => EntityManager; temporal: TemporalGateway; intervalMs?: number; batchSize?: number }): CallbackReplayer {
  const intervalMs = deps.intervalMs ?? 30_000;
  const batchSize = deps.batchSize ?? 100;
  let running: Promise<number> | null = null;

  const replayBatch = async (): Promise<number> => {
    return deps.em().transactional(async (em) => {
      const rows = await em.find(WeworkCallbackLog, { outcome: 'failed', replayedAt: null, rawData: { $ne: null } }, {
        orderBy: { id: 'asc' }, limit: batchSize, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, // for update skip locked
      });
      let replayed = 0;
      for (const row of rows) {
        const parsed = parseCallbackEvent(row.rawData!);
        const start = routeCallbackEvent(parsed);
        if (start) {
          try {
            await deps.temporal.startEventWorkflow(start);
          } catch {
            break; // Temporal still unreachable: try again next round.
          }
          row.workflowId = start.workflowId;
        }
        row.replayedAt = new Date();
        replayed += 1;
      }
      await em.flush();
      return replayed;
    });
  };

  const runOnce = () => {
    running ??= replayBatch().finally(() => { running = null; });
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: Error) => console.warn(`[api] callback replay failed: ${error.message}`));
  }, intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
