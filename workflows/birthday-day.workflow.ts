import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { localDate, zonedInstant } from '../common/clinic-time.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { startSendRun } from './automation-sends.ts';

const database = proxyActivities<Activities>(activityPresets.database);
const notify = proxyActivities<Activities>(activityPresets.notification);
/** A run this long after the day's hour is a catch-up: its greetings are marked late. */
const LATE_AFTER_MS = 60 * 60_000;

/** Input (v1): the clinic-local day; absent when the daily Schedule starts it (the scheduled time tells the day). */
export interface BirthdayDayInput { date?: string }

/** What a day's run did (counts only; the rows are in birthday_greetings). */
export interface BirthdayDayResult { date: string; late: boolean; birthdayOn: string; claimed: number; runId: number | null; queued: number; skipped: number; moved: number; notices: number }

/**
 * One clinic-local day of birthday greetings, started by the daily Schedule (or by an operator
 * for a missed day): claims the day's customers idempotently, hands them to the send path as one
 * run (batched per staff member there; it outlives this workflow to track confirmations), then
 * tells each staff member how many tasks wait for them. A run after the day's hour
 * (a Schedule catch-up after downtime, an operator's re-run) marks what it claims as late.
 */
export async function birthdayDayWorkflow(input: BirthdayDayInput): Promise<BirthdayDayResult> {
  const settings = await database.loadBirthdaySettings();
  const scheduled = workflowInfo().searchAttributes?.TemporalScheduledStartTime?.[0];
  const nominal = scheduled ? new Date(scheduled as string | Date).getTime() : workflowInfo().runStartTime.getTime();
  const date = input.date ?? localDate(nominal, settings.timeZone);
  const late = Date.now() > zonedInstant(date, settings.hour, 0, settings.timeZone) + LATE_AFTER_MS;

  const claim = await database.claimBirthdayGreetings({ date, daysBefore: settings.daysBefore, late });
  const queue = await database.queueBirthdayGreetings({ date, text: settings.text, launchKey: `${workflowInfo().workflowId}:${workflowInfo().runId}` });
  let notices = 0;
  if (queue.runId !== null) {
    await startSendRun(queue.runId);
    ({ notices } = await notify.notifyBirthdayStaff({ date, late, runId: queue.runId }));
  }
  return { date, late, birthdayOn: claim.birthdayOn, claimed: claim.claimed, ...queue, notices };
}
