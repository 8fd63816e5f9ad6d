import { continueAsNew, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { BulkTagInput } from '../common/bulk-tags.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const wecom = proxyActivities<Activities>(activityPresets.wecom);
const chunks = proxyActivities<Activities>(activityPresets.bulkTagChunk);
const database = proxyActivities<Activities>(activityPresets.database);

/** Customers per activity: the page's progress bar moves at least this often. */
const CHUNK_SIZE = 100;
/** Chunks per run before continuing as new (100,000 customers = 1,000 chunks; the history stays small). */
const CHUNKS_PER_RUN = 200;

/**
 * A marketer tagged many customers at once (ticked rows or "all N matching"). The job's customers
 * were frozen by the API; this makes the tags exist in WeCom, then walks the customers in id
 * order, a chunk per activity (mark_tag per relationship, at WeCom's per-corp quota), and closes
 * the job. The job row holds progress and the result; the workflow carries only where it is.
 */
export async function bulkTagWorkflow(input: BulkTagInput): Promise<void> {
  let after = input.after ?? 0;
  let continued = false;
  try {
    if (after === 0) await wecom.prepareBulkTags({ jobId: input.jobId });
    for (let n = 0; ; n++) {
      if (n >= CHUNKS_PER_RUN) {
        continued = true;
        break;
      }
      const chunk = await chunks.tagBulkChunk({ jobId: input.jobId, after, limit: CHUNK_SIZE });
      if (chunk.last === null) break;
      after = chunk.last;
    }
    if (!continued) await database.finishBulkTags({ jobId: input.jobId, status: 'completed' });
  } catch (error) {
    if (!isCancellation(error)) await database.finishBulkTags({ jobId: input.jobId, status: 'failed' });
    throw error;
  }
  if (continued) await continueAsNew<typeof bulkTagWorkflow>({ version: 1, jobId: input.jobId, after });
}
