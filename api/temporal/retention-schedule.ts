import { ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { workflowIds } from '../../common/workflow-ids.ts';
import { ensureSchedule } from './daily-schedule.ts';

/** Daily at 04:00 in the clinic's time zone, after the 03:00 customer sync. */
const DAILY_PURGE: ScheduleSpec = { calendars: [{ hour: 4, minute: 0 }], timezone: 'Asia/Shanghai' };

/**
 * Creates the Temporal Schedule that applies the retention settings every day, or brings an
 * existing one up to date, so every API start leaves exactly one. Returns what it did.
 */
export function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensureSchedule(client, {
    scheduleId: workflowIds.retentionPurgeSchedule(),
    spec: DAILY_PURGE,
    action: { type: 'startWorkflow', workflowType: 'retentionPurgeWorkflow', args: [], taskQueue, workflowId: workflowIds.retentionPurge() },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' },
  });
}
