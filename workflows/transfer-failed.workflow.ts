import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { TransferFailedInput } from '../common/contact-events.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const database = proxyActivities<Activities>(activityPresets.database);

/** transfer_fail: a customer hand-over between staff failed; keep the reason on the relationship. */
export async function recordTransferFailureWorkflow(input: TransferFailedInput): Promise<void> {
  await database.recordTransferFailure({ userId: input.userId, externalUserId: input.externalUserId, failReason: input.failReason ?? 'unknown' });
  await database.markCallbackProcessed({ workflowId: workflowInfo().workflowId });
}
