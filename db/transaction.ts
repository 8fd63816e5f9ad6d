import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Raw statements inside `em`'s open transaction (from `em.transactional`), on its one pooled
 * connection: `em.getConnection().execute` alone would take another connection, outside it.
 */
export function statementsOf(em: EntityManager) {
  return <T extends object[]>(sql: string, params: unknown[] = []) => em.getConnection().execute<T>(sql, params, 'all', em.getTransactionContext());
}

/** Holds the advisory lock named `key` until `em`'s transaction ends: processes and retries deciding the same thing take turns. */
export async function lockUntilCommit(em: EntityManager, key: string): Promise<void> {
  await statementsOf(em)('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
}
