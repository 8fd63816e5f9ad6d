import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CorpTagsChangedInput } from '../common/contact-events.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const wecom = proxyActivities<Activities>(activityPresets.wecom);
const database = proxyActivities<Activities>(activityPresets.database);

/** change_external_tag: someone changed corp tags in WeCom's console; mirror them locally. */
export async function syncCorpTagsWorkflow(_input: CorpTagsChangedInput): Promise<{ tags: number }> {
  const result = await wecom.syncCorpTags();
  await database.markCallbackProcessed({ workflowId: workflowInfo().workflowId });
  return result;
}
