import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { RetentionKind } from '../activities/retention.activities.ts';
import { activityPresets } from './activity-options.ts';

const database = proxyActivities<Activities>(activityPresets.database);

/** Rows per delete: a short transaction even on a large callback table. */
const BATCH_SIZE = 5_000;
/** Batches per run before continuing as new, so the history stays small however much is due. */
const BATCHES_PER_RUN = 200;

/** What one purge run removed, per setting. */
export type RetentionPurgeResult = Record<RetentionKind, number>;

/**
 * Deletes callback logs and messages older than the clinic's retention settings (PIPL: keep
 * personal data no longer than needed), in batches. Started daily by a Temporal Schedule.
 */
export async function retentionPurgeWorkflow(): Promise<RetentionPurgeResult> {
  const settings = await database.readRetentionSettings();
  const removed: RetentionPurgeResult = { callbackLogDays: 0, messageDays: 0 };
  let batches = 0;
  for (const kind of ['callbackLogDays', 'messageDays'] as const) {
    const days = settings[kind];
    if (days === null) continue;
    for (;;) {
      const deleted = await database.purgeExpiredRows({ kind, days, batchSize: BATCH_SIZE });
      removed[kind] += deleted;
      batches += 1;
      if (deleted < BATCH_SIZE) break;
      if (batches >= BATCHES_PER_RUN) return continueAsNew<typeof retentionPurgeWorkflow>();
    }
  }
  return removed;
}
