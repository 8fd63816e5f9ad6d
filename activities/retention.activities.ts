import type { RetentionSettings } from '../common/privacy.schema.ts';
import { PrivacySettings } from '../db/entities/index.ts';
import type { ActivityDeps } from './deps.ts';

/** The tables the retention settings apply to, by the setting's name. */
export const RETENTION_TABLES = { callbackLogDays: 'wework_callback_logs', messageDays: 'wework_messages' } as const;
/** One retention setting. */
export type RetentionKind = keyof typeof RETENTION_TABLES;

/** Activities of the daily retention purge. */
export function createRetentionActivities(deps: ActivityDeps) {
  return {
    /** The clinic's retention settings (null: keep forever). */
    async readRetentionSettings(): Promise<RetentionSettings> {
      const row = await deps.orm.em.fork().findOne(PrivacySettings, { id: 1 });
      return { callbackLogDays: row?.callbackLogDays ?? null, messageDays: row?.messageDays ?? null };
    },

    /**
     * Deletes up to `batchSize` rows older than `days` from the table of `kind`; returns how many.
     * Small batches keep each transaction (and its locks) short on a busy callback table; deleting
     * what is already gone is a no-op, so a retried batch is harmless.
     */
    async purgeExpiredRows(input: { kind: RetentionKind; days: number; batchSize: number }): Promise<number> {
      const table = RETENTION_TABLES[input.kind];
      const result = await deps.orm.em.fork().getConnection().execute<{ affectedRows?: number }>(
        `delete from ${table} where id in (select id from ${table} where created_at < now() - make_interval(days => ?) order by created_at limit ?)`,
        [input.days, input.batchSize], 'run');
      return result.affectedRows ?? 0;
    },
  };
}
