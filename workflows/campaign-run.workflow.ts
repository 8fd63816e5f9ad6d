import { ParentClosePolicy, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CampaignRunInput } from '../common/campaigns.schema.ts';
import { workflowIds } from '../common/workflow-ids.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { childTaskQueue } from './child-queues.ts';
import { sendRunWorkflow } from './send-run.workflow.ts';

const prepare = proxyActivities<Activities>(activityPresets.sendPrepare);

/**
 * One fire of a campaign — started by 立即发送 (launch) or by the campaign's Temporal Schedule:
 * copy the campaign into a send run, freeze its audience, and run the shared send path as a child
 * (it carries the same CampaignId search attribute, so the Temporal UI finds both by campaign).
 */
export async function campaignRunWorkflow(input: CampaignRunInput): Promise<{ runId: number | null; status: string }> {
  const info = workflowInfo();
  const fire = await prepare.createCampaignRun({ campaignId: input.campaignId, launchKey: info.workflowId });
  if (fire.runId === null) return { runId: null, status: fire.blockedBy ?? 'blocked' };
  const result = await executeChild(sendRunWorkflow, {
    workflowId: workflowIds.sendRun(fire.runId),
    taskQueue: childTaskQueue('sendRunWorkflow'),
    // Paused before its run existed: the run starts paused (an older fire's result has no `paused`, so its command is unchanged).
    args: [{ runId: fire.runId, ...(input.send ?? {}), ...(fire.paused ? { paused: true } : {}) }],
    typedSearchAttributes: info.typedSearchAttributes,
    // Cancelling or terminating the launch must not orphan half a send without its bookkeeping.
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  return { runId: fire.runId, status: result.status };
}
