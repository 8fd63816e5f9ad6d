/**
 * The test bundle: every product workflow, plus a stand-in for the daily Temporal Schedule (the
 * time-skipping test server has no Schedules). It fires at the clinic-local hour of each day, as
 * the Schedule's calendar spec does, and on a day marked down fires nothing until the next day,
 * when it first starts the missed day (as the Schedule's catch-up, or an operator, would).
 */
import { executeChild, sleep, workflowInfo } from '@temporalio/workflow';
import { addDays, zonedInstant } from '../../common/clinic-time.ts';
import { birthdayDayWorkflow, type BirthdayDayResult } from '../../workflows/birthday-day.workflow.ts';

export * from '../../workflows/index.ts';

/** One day's run as the stand-in started it. */
export interface CalendarRun { date: string; firedAt: number; catchUp: boolean; result: BirthdayDayResult }

/** A stretch of days under one clinic time zone and hour. */
export interface CalendarSegment { from: string; to: string; hour: number; timeZone: string; downtime?: string[] }

/**
 * Runs the daily birthday workflow over each segment's clinic-local days, skipping `downtime`
 * days until the next. One run for the whole calendar: time skips only while a test awaits it.
 */
export async function birthdayCalendarWorkflow(input: { segments: CalendarSegment[] }): Promise<CalendarRun[]> {
  const runs: CalendarRun[] = [];
  for (const segment of input.segments) runs.push(...await runSegment(segment));
  return runs;
}

async function runSegment(input: CalendarSegment): Promise<CalendarRun[]> {
  const runs: CalendarRun[] = [];
  const missed: string[] = [];
  const id = workflowInfo().workflowId;
  for (let date = input.from; date <= input.to; date = addDays(date, 1)) {
    const at = zonedInstant(date, input.hour, 0, input.timeZone);
    if (at > Date.now()) await sleep(at - Date.now());
    if (input.downtime?.includes(date)) {
      missed.push(date);
      continue;
    }
    for (const day of missed.splice(0)) {
      const result = await executeChild(birthdayDayWorkflow, { args: [{ date: day }], workflowId: `${id}:catch-up:${day}` });
      runs.push({ date: day, firedAt: Date.now(), catchUp: true, result });
    }
    const firedAt = Date.now();
    const result = await executeChild(birthdayDayWorkflow, { args: [{}], workflowId: `${id}:${date}` });
    runs.push({ date, firedAt, catchUp: false, result });
  }
  return runs;
}
