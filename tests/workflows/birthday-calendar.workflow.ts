/**
 * The test bundle: every product workflow, plus a stand-in for the daily Temporal Schedule (the
 * time-skipping test server has no Schedules). It fires at the clinic-local hour of each day, as
 * the Schedule's calendar spec does, and on a day marked down fires nothing at all: no
 * catch-up of its own, so the next day's run must find the missed day itself.
 */
import { executeChild, sleep, workflowInfo } from '@temporalio/workflow';
import { addDays, zonedInstant } from '../../common/clinic-time.ts';
import { birthdayDayWorkflow, type BirthdayDayCounts } from '../../workflows/birthday-day.workflow.ts';

export * from '../../workflows/index.ts';

/** One day's run as the stand-in started it, or a missed day that a run caught up (catchUp). */
export interface CalendarRun { date: string; firedAt: number; catchUp: boolean; result: BirthdayDayCounts }

/** A stretch of days under one clinic time zone and hour. */
export interface CalendarSegment { from: string; to: string; hour: number; timeZone: string; downtime?: string[] }

/**
 * Runs the daily birthday workflow over each segment's clinic-local days, firing nothing on
 * `downtime` days. One run for the whole calendar: time skips only while a test awaits it.
 */
export async function birthdayCalendarWorkflow(input: { segments: CalendarSegment[] }): Promise<CalendarRun[]> {
  const runs: CalendarRun[] = [];
  for (const segment of input.segments) runs.push(...await runSegment(segment));
  return runs;
}

async function runSegment(input: CalendarSegment): Promise<CalendarRun[]> {
  const runs: CalendarRun[] = [];
  const id = workflowInfo().workflowId;
  for (let date = input.from; date <= input.to; date = addDays(date, 1)) {
    const at = zonedInstant(date, input.hour, 0, input.timeZone);
    if (at > Date.now()) await sleep(at - Date.now());
    if (input.downtime?.includes(date)) continue;
    const firedAt = Date.now();
    const { caughtUp = [], ...result } = await executeChild(birthdayDayWorkflow, { args: [{}], workflowId: `${id}:${date}` });
    for (const missed of caughtUp) runs.push({ date: missed.date, firedAt, catchUp: true, result: missed });
    runs.push({ date, firedAt, catchUp: false, result });
  }
  return runs;
}
