import type { EntityManager } from '@mikro-orm/postgresql';
import { readClinicCompliance } from '../../db/compliance.store.ts';
import { ensureBirthdaySchedule } from './birthday-schedule.ts';
import { ensureRetentionSchedule } from './retention-schedule.ts';
import { ensureStaffBehaviorSchedule } from './staff-behavior-schedule.ts';
import { ensureSyncSchedule } from './sync-schedule.ts';
import type { TemporalGateway } from './temporal-gateway.ts';

/** Each daily Schedule that runs at a clinic hour, by what it does (for logs and warnings). */
type ClinicSchedule = 'customer sync' | 'retention purge' | 'staff behaviour sync' | 'birthday greetings';

/**
 * Brings every daily Schedule that runs at a clinic hour to the clinic's time zone as it is now
 * (clinic_settings.time_zone): the customer sync, the retention purge, the staff-behaviour sync
 * and the birthday greetings. Called at API start and after the zone (or the birthday hour)
 * changes. Each is tried on its own; answers what each did, or its error.
 */
export async function ensureClinicSchedules(
  temporal: Pick<TemporalGateway, 'client' | 'taskQueueFor'>, em: EntityManager,
): Promise<Record<ClinicSchedule, PromiseSettledResult<'created' | 'updated'>>> {
  const { timeZone } = await readClinicCompliance(em);
  const { client } = temporal;
  const [sync, retention, behavior, birthday] = await Promise.allSettled([
    ensureSyncSchedule(client, temporal.taskQueueFor('customerSyncWorkflow'), timeZone),
    ensureRetentionSchedule(client, temporal.taskQueueFor('retentionPurgeWorkflow'), timeZone),
    ensureStaffBehaviorSchedule(client, temporal.taskQueueFor('staffBehaviorSyncWorkflow'), timeZone),
    ensureBirthdaySchedule(client, temporal.taskQueueFor('birthdayDayWorkflow'), em),
  ]);
  return { 'customer sync': sync, 'retention purge': retention, 'staff behaviour sync': behavior, 'birthday greetings': birthday };
}

/** A warning for the settings page when a Schedule could not follow the change now (null when all did). */
export async function followClinicTimeZone(temporal: Pick<TemporalGateway, 'client' | 'taskQueueFor'>, em: EntityManager): Promise<string | null> {
  const outcomes = await ensureClinicSchedules(temporal, em).catch((error: Error) => ({ settings: { status: 'rejected' as const, reason: error } }));
  const failed = Object.entries(outcomes).filter(([, outcome]) => outcome.status === 'rejected')
    .map(([name, outcome]) => `${name} (${((outcome as PromiseRejectedResult).reason as Error).message})`);
  return failed.length === 0 ? null : `These schedules could not be updated now: ${failed.join('; ')}; they will be at the next start.`;
}
