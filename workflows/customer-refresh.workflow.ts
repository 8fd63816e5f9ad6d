import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CustomerEditedInput } from '../common/contact-events.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const wecom = proxyActivities<Activities>(activityPresets.wecom);
const database = proxyActivities<Activities>(activityPresets.database);

/** edit_external_contact: a staff member changed the remark, description or tags; re-read and save (unless a later event already did). */
export async function refreshCustomerWorkflow(input: CustomerEditedInput): Promise<{ customerId: number }> {
  const detail = await wecom.fetchCustomerDetail({ externalUserId: input.externalUserId });
  const saved = await database.saveCustomer({ detail, event: { userId: input.userId, createTime: input.createTime, kind: 'edit' } });
  await database.markCallbackProcessed({ workflowId: workflowInfo().workflowId });
  return saved;
}
