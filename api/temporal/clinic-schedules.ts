import type { EntityManager } from '@mikro-orm/postgresql';
import { readClinicCompliance } from '../../db/compliance.store.ts';
import { isTemporalUnreachable } from '../errors.ts';
import { ensureBirthdaySchedule } from './birthday-schedule.ts';
import { followCampaignSchedules } from './campaign-control.ts';
import { ensureRetentionSchedule } from './retention-schedule.ts';
import { ensureStaffBehaviorSchedule } from './staff-behavior-schedule.ts';
import { ensureSyncSchedule } from './sync-schedule.ts';
import type { TemporalGateway } from './temporal-gateway.ts';

/** Each Schedule that runs on the clinic's clock, by what it does (for logs and warnings). */
type ClinicSchedule = 'customer sync' | 'retention purge' | 'staff behaviour sync' | 'birthday greetings' | 'recurring campaigns';

/**
 * Brings every daily Schedule that runs at a clinic hour to the clinic's time zone as it is now
 * (clinic_settings.time_zone): the customer sync, the retention purge, the staff-behaviour sync,
 * the birthday greetings, and the recurring campaigns on the clinic's clock. Called at API start
 * and after the zone (or the birthday hour) changes. Each is tried on its own; answers what each
 * did (for campaigns, how many moved), or its error.
 */
export async function ensureClinicSchedules(
  temporal: Pick<TemporalGateway, 'client' | 'taskQueueFor'>, em: EntityManager,
): Promise<Record<ClinicSchedule, PromiseSettledResult<'created' | 'updated' | number>>> {
  const { timeZone } = await readClinicCompliance(em);
  const { client } = temporal;
  const [sync, retention, behavior, birthday, campaigns] = await Promise.allSettled([
    ensureSyncSchedule(client, temporal.taskQueueFor('customerSyncWorkflow'), timeZone),
    ensureRetentionSchedule(client, temporal.taskQueueFor('retentionPurgeWorkflow'), timeZone),
    ensureStaffBehaviorSchedule(client, temporal.taskQueueFor('staffBehaviorSyncWorkflow'), timeZone),
    ensureBirthdaySchedule(client, temporal.taskQueueFor('birthdayDayWorkflow'), em),
    followCampaignSchedules(client, em, timeZone),
  ]);
  return { 'customer sync': sync, 'retention purge': retention, 'staff behaviour sync': behavior, 'birthday greetings': birthday, 'recurring campaigns': campaigns };
}

/**
 * At API start: brings the clinic-clock Schedules up to date. While Temporal cannot be reached (a
 * cluster still starting beside the API) it tries again every `everyMs`, for up to `forMs`, and
 * then reports what each did (`report`).
 */
export async function ensureClinicSchedulesAtStart(
  temporal: Pick<TemporalGateway, 'client' | 'taskQueueFor'>, em: () => EntityManager,
  report: (outcomes: Awaited<ReturnType<typeof ensureClinicSchedules>>) => void, { everyMs = 10_000, forMs = 600_000 } = {},
): Promise<void> {
  const giveUpAt = Date.now() + forMs;
  for (;;) {
    const outcomes = await ensureClinicSchedules(temporal, em());
    const unreachable = Object.values(outcomes).some((outcome) => outcome.status === 'rejected' && isTemporalUnreachable(outcome.reason));
    if (!unreachable || Date.now() + everyMs > giveUpAt) return report(outcomes);
    await new Promise((resolve) => setTimeout(resolve, everyMs).unref());
  }
}

/** The clinic-clock Schedules, by the key a settings answer names them with (the dashboard translates it). */
const SCHEDULE_KEYS: Record<ClinicSchedule, ClinicScheduleKey> = {
  'customer sync': 'customerSync', 'retention purge': 'retentionPurge', 'staff behaviour sync': 'staffBehaviorSync', 'birthday greetings': 'birthdayGreetings',
  'recurring campaigns': 'recurringCampaigns',
};
/** A daily Schedule's key in a settings answer's `schedulesPending`. */
export type ClinicScheduleKey = 'customerSync' | 'retentionPurge' | 'staffBehaviorSync' | 'birthdayGreetings' | 'recurringCampaigns';

/** How long a settings request waits for the Schedules: past it they are reported pending and keep trying. */
const FOLLOW_TIMEOUT_MS = 5_000;

/**
 * After the clinic's zone or birthday hour changed: brings the Schedules along, waiting at most
 * a few seconds (a Temporal outage must not hold the settings page). Answers the Schedules that
 * could not follow now (`pending`; they follow at the next API start) and, for API clients, an
 * English sentence with Temporal's reasons (null when all followed).
 */
export async function followClinicTimeZone(
  temporal: Pick<TemporalGateway, 'client' | 'taskQueueFor'>, em: EntityManager, timeoutMs = FOLLOW_TIMEOUT_MS,
): Promise<{ pending: ClinicScheduleKey[]; warning: string | null }> {
  const everyone = Object.keys(SCHEDULE_KEYS) as ClinicSchedule[];
  const unreachable = (reason: Error) => Object.fromEntries(everyone.map((name) => [name, { status: 'rejected' as const, reason }]));
  let timer: NodeJS.Timeout | undefined;
  const outcomes = await Promise.race([
    ensureClinicSchedules(temporal, em).catch((error: Error) => unreachable(error)),
    new Promise<ReturnType<typeof unreachable>>((resolve) => { timer = setTimeout(() => resolve(unreachable(new Error(`Temporal did not answer within ${timeoutMs / 1000} s`))), timeoutMs); }),
  ]).finally(() => clearTimeout(timer));
  const failed = Object.entries(outcomes).filter(([, outcome]) => outcome.status === 'rejected') as Array<[ClinicSchedule, PromiseRejectedResult]>;
  return {
    pending: failed.map(([name]) => SCHEDULE_KEYS[name]),
    warning: failed.length === 0 ? null
      : `These schedules could not be updated now: ${failed.map(([name, outcome]) => `${name} (${(outcome.reason as Error).message})`).join('; ')}; they will be at the next start.`,
  };
}
