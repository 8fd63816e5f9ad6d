import { patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SyncInput, SyncProgress } from '../common/customers.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { syncProgressQuery } from './sync.definitions.ts';

const wecom = proxyActivities<Activities>(activityPresets.wecom);
const database = proxyActivities<Activities>(activityPresets.database);
const pages = proxyActivities<Activities>(activityPresets.syncPages);

/** Pages per customers activity: the workflow records progress (and the cursor) after each chunk. */
const DEFAULT_PAGES_PER_CHUNK = 20;
/** batch/get_by_user takes at most 100 userids per call. */
const USERIDS_PER_CALL = 100;

/**
 * SPEC §2.9: mirrors WeCom into the database — staff (get_follow_user_list), corp tags, channel
 * codes (list_contact_way + get_contact_way), then every customer relationship through
 * batch/get_by_user, ≤ 100 staff per call and 100 customers a page. The customers phase runs in
 * chunks; each chunk checkpoints its cursor in PostgreSQL together with every stored page, so a
 * worker that dies resumes after the last stored page. Progress is answered by `syncProgress`.
 */
export async function customerSyncWorkflow(input: SyncInput): Promise<SyncProgress> {
  const info = workflowInfo();
  const progress: SyncProgress = {
    phase: 'starting', trigger: input.trigger, staff: 0, tags: 0, contactWays: 0, pagesDone: 0, customersSynced: 0,
    estimatedTotal: 0, startedAt: new Date(info.startTime).toISOString(), finishedAt: null,
  };
  setHandler(syncProgressQuery, () => progress);

  try {
    progress.phase = 'staff';
    const staff = await wecom.syncStaff();
    progress.staff = staff.userIds.length;

    progress.phase = 'tags';
    progress.tags = (await wecom.syncCorpTags()).tags;

    progress.phase = 'contact_ways';
    progress.contactWays = (await wecom.syncContactWays()).contactWays;

    progress.phase = 'customers';
    progress.estimatedTotal = (await database.estimateSyncTotal()).relationships;
    const runKey = `${info.workflowId}:${info.runId}`;
    const pagesPerChunk = input.pagesPerChunk ?? DEFAULT_PAGES_PER_CHUNK;
    let chunk = 0;
    for (let start = 0; start < staff.userIds.length; start += USERIDS_PER_CALL) {
      const userIds = staff.userIds.slice(start, start + USERIDS_PER_CALL);
      let cursor = '';
      for (;;) {
        const result = await pages.syncCustomerPages({ checkpointKey: `${runKey}:${chunk}`, userIds, cursor, maxPages: pagesPerChunk });
        chunk += 1;
        progress.pagesDone += result.pages;
        progress.customersSynced += result.relationships;
        progress.estimatedTotal = Math.max(progress.estimatedTotal, progress.customersSynced);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
    }
    // Runs started before this step existed replay without it (Temporal versioning).
    if (patched('mark-unseen-relationships-lost')) {
      await database.markUnseenRelationshipsLost({ since: new Date(info.runStartTime).toISOString(), staffUserIds: staff.userIds });
    }
    await database.clearSyncCheckpoints({ prefix: runKey });
    progress.phase = 'done';
  } catch (error) {
    progress.phase = 'failed';
    throw error;
  } finally {
    progress.finishedAt = new Date().toISOString();
  }
  return progress;
}
