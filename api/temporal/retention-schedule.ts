import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import { workflowIds } from '../../common/workflow-ids.ts';

/** Daily at 04:00 in the clinic's time zone, after the 03:00 customer sync. */
const DAILY_PURGE: ScheduleSpec = { calendars: [{ hour: 4, minute: 0 }], timezone: 'Asia/Shanghai' };

/**
 * Creates the Temporal Schedule that applies the retention settings every day, or brings an
 * existing one up to date, so every API start leaves exactly one. Returns what it did.
 */
export async function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  const action: ScheduleOptionsAction = { type: 'startWorkflow', workflowType: 'retentionPurgeWorkflow', args: [], taskQueue, workflowId: workflowIds.retentionPurge() };
  try {
    await client.schedule.create({
      scheduleId: workflowIds.retentionPurgeSchedule(),
      spec: DAILY_PURGE,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(workflowIds.retentionPurgeSchedule()).update((previous) => ({ ...previous, spec: DAILY_PURGE, action }));
    return 'updated';
  }
}
