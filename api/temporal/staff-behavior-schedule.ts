import { ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import type { StaffBehaviorSyncInput } from '../../common/statistics.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { ensureSchedule } from './daily-schedule.ts';

/**
 * Creates (or updates) the Temporal Schedule that syncs WeCom's 联系客户统计 of the last week every
 * day at 05:00 in the clinic's time zone: WeCom has finished the previous day's figures by then.
 */
export function ensureStaffBehaviorSchedule(client: Client, taskQueue: string, timeZone: string): Promise<'created' | 'updated'> {
  const input: StaffBehaviorSyncInput = { version: 1, days: 7 };
  const spec: ScheduleSpec = { calendars: [{ hour: 5, minute: 0 }], timezone: timeZone };
  return ensureSchedule(client, {
    scheduleId: workflowIds.staffBehaviorSchedule(),
    spec,
    action: { type: 'startWorkflow', workflowType: 'staffBehaviorSyncWorkflow', args: [input], taskQueue, workflowId: workflowIds.staffBehaviorSync() },
    // A missed day is caught up within a day; the next run re-reads the week anyway.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  });
}
