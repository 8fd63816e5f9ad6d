import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { SyncInput } from '../../common/customers.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';

/** Daily at 03:00 in the clinic's time zone (clinic_settings.time_zone): after the day's work, before the morning's campaigns. */
const dailySync = (timeZone: string): ScheduleSpec => ({ calendars: [{ hour: 3, minute: 0 }], timezone: timeZone });

/**
 * Creates the Temporal Schedule that starts the customer sync every day, or brings an existing one
 * up to date (task queue, time, the clinic's time zone), so every API start leaves exactly one
 * schedule. Returns what it did.
 */
export async function ensureSyncSchedule(client: Client, taskQueue: string, timeZone: string): Promise<'created' | 'updated'> {
  const spec = dailySync(timeZone);
  const input: SyncInput = { version: 1, trigger: 'schedule' };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow', workflowType: 'customerSyncWorkflow', args: [input], taskQueue,
    // Temporal appends the scheduled time, so each run has its own id under this prefix.
    workflowId: workflowIds.customerSync(),
  };
  try {
    await client.schedule.create({
      scheduleId: workflowIds.customerSyncSchedule(),
      spec,
      action,
      // A sync still running at the next tick (a very large corp) is not doubled; a missed tick within an hour is caught up.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(workflowIds.customerSyncSchedule()).update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  }
}
