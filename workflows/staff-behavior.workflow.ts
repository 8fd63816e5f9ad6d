import { proxyActivities } from '@temporalio/workflow';
import type { StaffBehaviorSyncInput } from '../common/statistics.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const wecom = proxyActivities<Activities>(activityPresets.wecom);

/**
 * Syncs WeCom's 联系客户统计 (get_user_behavior_data) into staff_behavior_daily: the staff with
 * customer-contact permission, then each one's last `days` clinic days (WeCom revises recent days,
 * so the daily run re-reads a week). Started daily by a Temporal Schedule and on demand.
 */
export async function staffBehaviorSyncWorkflow(raw: StaffBehaviorSyncInput): Promise<{ staff: number; days: number }> {
  // Starters validate with the schema; zod stays out of the workflow bundle (scripts/check-workflow-bundle.ts).
  const span = raw.days ?? 7;
  const staff = await wecom.listBehaviorStaff();
  let days = 0;
  for (const userid of staff) days += (await wecom.syncStaffBehavior({ userid, days: span })).days;
  return { staff: staff.length, days };
}
