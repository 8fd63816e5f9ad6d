import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders } from './customers.store.ts';

/** The generation of a sync run, created on first ask (a retried activity gets the same one). */
export async function beginSyncGeneration(em: EntityManager, runKey: string): Promise<number> {
  const [row]: Array<{ generation: string }> = await em.getConnection().execute(
    `insert into sync_generations (run_key, started_at) values (?, now())
     on conflict (run_key) do update set run_key = excluded.run_key returning generation`, [runKey]);
  return Number(row!.generation);
}

/**
 * The generation a relationship written by a callback (WeCom's own word that it exists) counts as
 * seen in: one past the newest sync, so neither a sync running now nor the next one marks it lost
 * for not having read it (the one after that would, were it gone by then).
 */
export async function callbackSyncGeneration(em: EntityManager): Promise<number> {
  const [row]: Array<{ next: string }> = await em.getConnection().execute('select coalesce(max(generation), 0) + 1 as next from sync_generations');
  return Number(row!.next);
}

/**
 * Ends a complete pass: its staff's active relationships that it did not see (an older generation)
 * no longer exist in WeCom, their deletion callback was missed, so they are marked lost. Returns how many.
 */
export async function completeSyncGeneration(em: EntityManager, generation: number, staffUserIds: string[]): Promise<number> {
  return em.transactional(async (trx) => {
    const connection = trx.getConnection();
    const ctx = trx.getTransactionContext();
    let lost = 0;
    if (staffUserIds.length > 0) {
      const result = await connection.execute(
        `update wework_customer_follows set status = 'lost', lost_at = now(), lost_reason = 'missing_in_sync', updated_at = now()
          where status = 'active' and coalesce(sync_generation, 0) < ? and staff_userid in (${placeholders(staffUserIds.length, '?')})`,
        [generation, ...staffUserIds], 'run', ctx,
      );
      lost = (result as { affectedRows?: number }).affectedRows ?? 0;
    }
    await connection.execute('update sync_generations set completed_at = coalesce(completed_at, now()) where generation = ?', [generation], 'run', ctx);
    return lost;
  });
}
