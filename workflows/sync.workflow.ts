import { patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SyncInput, SyncProgress } from '../common/customers.schema.ts';
import type { Activities } from '../activities/index.ts';
import type { ContactWayChunkState } from '../activities/sync.activities.ts';
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
 * batch/get_by_user, ≤ 100 staff per call and 100 customers a page. The channel-code and customer
 * phases run in chunks; each chunk checkpoints its cursor in PostgreSQL together with every stored
 * page, so a worker that dies resumes after the last stored page. Every relationship seen is
 * stamped with the run's generation; a complete pass marks its staff's unseen ones lost. Scope
 * `contact_ways` (the dashboard's import) reads only channel codes, over WeCom's whole history.
 * Progress is answered by `syncProgress`.
 */
export async function customerSyncWorkflow(input: SyncInput): Promise<SyncProgress> {
  const info = workflowInfo();
  const progress: SyncProgress = {
    phase: 'starting', trigger: input.trigger, staff: 0, tags: 0, contactWays: 0, pagesDone: 0, customersSynced: 0,
    estimatedTotal: 0, startedAt: new Date(info.startTime).toISOString(), finishedAt: null,
  };
  setHandler(syncProgressQuery, () => progress);
  const runKey = `${info.workflowId}:${info.runId}`;
  const pagesPerChunk = input.pagesPerChunk ?? DEFAULT_PAGES_PER_CHUNK;
  const onlyContactWays = input.scope === 'contact_ways';

  try {
    // Runs started before generations replay without this step (Temporal versioning).
    const generation = !onlyContactWays && patched('sync-generation') ? (await database.beginSyncGeneration({ runKey })).generation : null;
    let staffUserIds: string[] = [];
    if (!onlyContactWays) {
      progress.phase = 'staff';
      staffUserIds = (await wecom.syncStaff()).userIds;
      progress.staff = staffUserIds.length;

      progress.phase = 'tags';
      progress.tags = (await wecom.syncCorpTags()).tags;
    }

    progress.phase = 'contact_ways';
    if (patched('contact-way-pages')) {
      // The import walks back through WeCom's history from now; the sync reads WeCom's default 90 days.
      let state: ContactWayChunkState = {
        windowEnd: onlyContactWays ? Math.floor(info.startTime.getTime() / 1000) : null, cursor: '', pages: 0, found: 0, created: 0, done: false,
      };
      for (let chunk = 0; !state.done; chunk += 1) {
        state = (await pages.syncContactWayPages({ checkpointKey: `${runKey}:contact-ways:${chunk}`, state, maxPages: pagesPerChunk })).state;
        progress.contactWays = state.found;
        progress.contactWaysCreated = state.created;
      }
    } else {
      progress.contactWays = (await wecom.syncContactWays()).contactWays;
    }

    if (!onlyContactWays) {
      progress.phase = 'customers';
      progress.estimatedTotal = (await database.estimateSyncTotal()).relationships;
      let chunk = 0;
      for (let start = 0; start < staffUserIds.length; start += USERIDS_PER_CALL) {
        const userIds = staffUserIds.slice(start, start + USERIDS_PER_CALL);
        let cursor = '';
        for (;;) {
          const result = await pages.syncCustomerPages({
            checkpointKey: `${runKey}:${chunk}`, userIds, cursor, maxPages: pagesPerChunk, ...(generation === null ? {} : { generation }),
          });
          chunk += 1;
          progress.pagesDone += result.pages;
          progress.customersSynced += result.relationships;
          progress.estimatedTotal = Math.max(progress.estimatedTotal, progress.customersSynced);
          cursor = result.nextCursor;
          if (!cursor) break;
        }
      }
      if (generation !== null) {
        await database.completeSyncGeneration({ generation, staffUserIds });
      } else if (patched('mark-unseen-relationships-lost')) {
        // Runs started before generations: the two-clock comparison they were started with.
        await database.markUnseenRelationshipsLost({ since: new Date(info.runStartTime).toISOString(), staffUserIds });
      }
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
