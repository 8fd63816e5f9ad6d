import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { StaffMessageInput } from '../common/contact-events.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const database = proxyActivities<Activities>(activityPresets.database);

/** A staff member wrote to the app: keep the message (customers' chats need 会话存档, out of scope). */
export async function storeStaffMessageWorkflow(input: StaffMessageInput): Promise<void> {
  await database.storeStaffMessage({ msgId: input.msgId, fromUserId: input.fromUserId, msgType: input.msgType, content: input.content, createTime: input.createTime });
  await database.markCallbackProcessed({ workflowId: workflowInfo().workflowId });
}
