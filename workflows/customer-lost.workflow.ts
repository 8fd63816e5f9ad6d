import { ActivityFailure, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RelationshipLostInput } from '../common/contact-events.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { stopAutomationsFor } from './automations-hook.ts';

const database = proxyActivities<Activities>(activityPresets.database);
const notify = proxyActivities<Activities>(activityPresets.notification);

/**
 * A relationship ended: the customer deleted the staff member (del_follow_user, churn: the staff
 * member is alerted) or the staff member deleted the customer (del_external_contact). Either way
 * the follow is marked lost and the customer's pending automations stop. A deletion caused by a
 * succession transfer is recorded but not treated as churn.
 */
export async function customerLostWorkflow(input: RelationshipLostInput): Promise<{ changed: boolean; alerted: string }> {
  const transfer = input.source === 'DELETE_BY_TRANSFER';
  const reason = input.kind === 'del_follow_user' ? 'customer_deleted_staff' : transfer ? 'transferred' : 'staff_deleted_customer';
  const { customerName, changed } = await database.markRelationshipLost({ userId: input.userId, externalUserId: input.externalUserId, reason, at: input.createTime });

  let alerted = 'not_needed';
  if (changed && input.kind === 'del_follow_user') {
    try {
      alerted = await notify.notifyStaff({
        sendKey: `lost:${input.dedupeKey}`, userId: input.userId, externalUserId: input.externalUserId,
        text: `客户流失提醒：${customerName ?? input.externalUserId} 已将您删除`,
      });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      alerted = 'failed';
      log.warn('churn alert not sent', { userId: input.userId, reason: error.cause?.message });
    }
  }
  if (!transfer) await stopAutomationsFor({ externalUserId: input.externalUserId, userId: input.userId });
  await database.markCallbackProcessed({ workflowId: workflowInfo().workflowId });
  return { changed, alerted };
}
