import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { localDate, zonedInstant } from '../common/clinic-time.ts';
import type { Activities } from '../activities/index.ts';
import type { BirthdaySettings } from '../activities/birthdays.activities.ts';
import { activityPresets } from './activity-options.ts';
import { startSendRun } from './automation-sends.ts';

const database = proxyActivities<Activities>(activityPresets.database);
const notify = proxyActivities<Activities>(activityPresets.notification);
/** A run this long after the day's hour is a catch-up: its greetings are marked late. */
const LATE_AFTER_MS = 60 * 60_000;
/**
 * How far back a scheduled run looks for days no run has done (downtime of the worker, of
 * Temporal, or a Schedule paused): the Schedule's own catch-up window is not relied on.
 */
const CATCH_UP_DAYS = 14;

/** Input (v1): the clinic-local day; absent when the daily Schedule starts it (the scheduled time tells the day). */
export interface BirthdayDayInput { date?: string }

/** What one day's greetings did (counts only; the rows are in birthday_greetings and birthday_days). */
export interface BirthdayDayCounts { date: string; late: boolean; birthdayOn: string; claimed: number; runId: number | null; queued: number; skipped: number; moved: number; notices: number }

/** What a run did: its own day, and the missed days it caught up first (oldest first). */
export interface BirthdayDayResult extends BirthdayDayCounts { caughtUp?: BirthdayDayCounts[] }

/**
 * One clinic-local day of birthday greetings, started by the daily Schedule (or by an operator
 * for a missed day): claims the day's customers idempotently, hands them to the send path as one
 * run (batched per staff member there; it outlives this workflow to track confirmations), then
 * tells each staff member how many tasks wait for them. A scheduled run first catches up the
 * recent days that no run did (late, once: the claim greets a customer once a year), so a day
 * of downtime is sent the next day whatever the Schedule's catch-up did. A run after the day's
 * hour marks what it claims as late, and the staff notice says the greeting is late.
 */
export async function birthdayDayWorkflow(input: BirthdayDayInput): Promise<BirthdayDayResult> {
  const settings = await database.loadBirthdaySettings();
  const scheduled = workflowInfo().searchAttributes?.TemporalScheduledStartTime?.[0];
  const nominal = scheduled ? new Date(scheduled as string | Date).getTime() : workflowInfo().runStartTime.getTime();
  const date = input.date ?? localDate(nominal, settings.timeZone);
  const late = Date.now() > zonedInstant(date, settings.hour, 0, settings.timeZone) + LATE_AFTER_MS;
  const launchKey = `${workflowInfo().workflowId}:${workflowInfo().runId}`;

  if (!patched('birthday-days-recorded')) return runDay(settings, { date, late, launchKey });
  const caughtUp: BirthdayDayCounts[] = [];
  if (input.date === undefined) {
    for (const missed of await database.birthdayDaysMissed({ date, lookBackDays: CATCH_UP_DAYS, daysBefore: settings.daysBefore })) {
      const counts = await runDay(settings, { date: missed, late: true, launchKey: `${launchKey}:${missed}` });
      await database.recordBirthdayDay({ date: missed, late: true, caughtUpOn: date, claimed: counts.claimed, queued: counts.queued, runId: counts.runId });
      caughtUp.push(counts);
    }
  }
  const counts = await runDay(settings, { date, late, launchKey });
  await database.recordBirthdayDay({ date, late, caughtUpOn: null, claimed: counts.claimed, queued: counts.queued, runId: counts.runId });
  return { ...counts, caughtUp };
}

/** Claims, queues and announces one day's greetings. */
async function runDay(settings: BirthdaySettings, day: { date: string; late: boolean; launchKey: string }): Promise<BirthdayDayCounts> {
  const { date, late } = day;
  const claim = await database.claimBirthdayGreetings({ date, daysBefore: settings.daysBefore, late });
  const queue = await database.queueBirthdayGreetings({ date, text: settings.text, launchKey: day.launchKey });
  let notices = 0;
  if (queue.runId !== null) {
    await startSendRun(queue.runId);
    ({ notices } = await notify.notifyBirthdayStaff({ date, late, runId: queue.runId }));
  }
  return { date, late, birthdayOn: claim.birthdayOn, claimed: claim.claimed, ...queue, notices };
}
