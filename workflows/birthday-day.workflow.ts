import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { localDate, zonedInstant } from '../common/clinic-time.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const database = proxyActivities<Activities>(activityPresets.database);
const send = proxyActivities<Activities>(activityPresets.automationSend);
const notify = proxyActivities<Activities>(activityPresets.notification);

/** Greetings per send activity: small enough that a retried batch repeats little, large enough for 100,000 a year. */
const BATCH = 50;
/** A run this long after the day's hour is a catch-up: its greetings are marked late. */
const LATE_AFTER_MS = 60 * 60_000;

/** Input (v1): the clinic-local day; absent when the daily Schedule starts it (the scheduled time tells the day). */
export interface BirthdayDayInput { date?: string }

/** What a day's run did (counts only; the rows are in birthday_greetings). */
export interface BirthdayDayResult { date: string; late: boolean; birthdayOn: string; claimed: number; sent: number; skipped: number; moved: number; notices: number }

/**
 * One clinic-local day of birthday greetings, started by the daily Schedule (or by an operator
 * for a missed day): claims the day's customers idempotently, sends in batches through the send
 * path, then tells each staff member how many tasks wait for them. A run after the day's hour
 * (a Schedule catch-up after downtime, an operator's re-run) marks what it claims as late.
 */
export async function birthdayDayWorkflow(input: BirthdayDayInput): Promise<BirthdayDayResult> {
  const settings = await database.loadBirthdaySettings();
  const scheduled = workflowInfo().searchAttributes?.TemporalScheduledStartTime?.[0];
  const nominal = scheduled ? new Date(scheduled as string | Date).getTime() : workflowInfo().runStartTime.getTime();
  const date = input.date ?? localDate(nominal, settings.timeZone);
  const late = Date.now() > zonedInstant(date, settings.hour, 0, settings.timeZone) + LATE_AFTER_MS;

  const claim = await database.claimBirthdayGreetings({ date, daysBefore: settings.daysBefore, late });
  let sent = 0;
  let skipped = 0;
  let moved = 0;
  for (let remaining = claim.pending; remaining > 0;) {
    const batch = await send.sendBirthdayBatch({ date, limit: BATCH, text: settings.text });
    sent += batch.sent;
    skipped += batch.skipped;
    moved += batch.moved;
    remaining = batch.remaining;
  }
  const { notices } = sent > 0 ? await notify.notifyBirthdayStaff({ date, late }) : { notices: 0 };
  return { date, late, birthdayOn: claim.birthdayOn, claimed: claim.claimed, sent, skipped, moved, notices };
}
