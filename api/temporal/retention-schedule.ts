import { ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { workflowIds } from '../../common/workflow-ids.ts';
import { ensureSchedule } from './daily-schedule.ts';


/**
 * Creates the Temporal Schedule that applies the retention settings every day at 04:00 in the
 * clinic's time zone (after the 03:00 customer sync), or brings an existing one up to date, so
 * every API start leaves exactly one. Returns what it did.
 */
export function ensureRetentionSchedule(client: Client, taskQueue: string, timeZone: string): Promise<'created' | 'updated'> {
  const spec: ScheduleSpec = { calendars: [{ hour: 4, minute: 0 }], timezone: timeZone };
  return ensureSchedule(client, {
    scheduleId: workflowIds.retentionPurgeSchedule(),
    spec,
    action: { type: 'startWorkflow', workflowType: 'retentionPurgeWorkflow', args: [], taskQueue, workflowId: workflowIds.retentionPurge() },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' },
  });
}
