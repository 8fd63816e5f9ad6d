import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';

/**
 * Creates a Temporal Schedule, or brings an existing one up to date (spec and action: task queue,
 * time, input), so every API start leaves exactly one. Returns what it did.
 */
export async function ensureSchedule(client: Client, options: Pick<ScheduleOptions, 'scheduleId' | 'spec' | 'action' | 'policies'>): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action }));
    return 'updated';
  }
}
