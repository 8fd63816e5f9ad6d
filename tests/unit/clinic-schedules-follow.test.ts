import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { ensureClinicSchedulesAtStart, followClinicTimeZone } from '../../api/temporal/clinic-schedules.ts';

/** A Temporal client whose every Schedule call hangs, as one does while the server is unreachable. */
const hangingClient = { schedule: { create: () => new Promise(() => undefined), getHandle: () => ({ update: () => new Promise(() => undefined) }) } } as unknown as Client;
/** The clinic's settings rows, as the database holds them. */
const em = {
  findOne: async () => ({ timeZone: 'America/New_York' }),
  findOneOrFail: async () => ({ birthdayHour: 9 }),
  // No recurring campaign on the clinic's clock.
  getConnection: () => ({ execute: async () => [] }),
} as unknown as EntityManager;

describe('the daily Schedules following a settings change', () => {
  it('answers within its time limit when Temporal does not, naming every Schedule still to follow', async () => {
    const started = Date.now();
    const outcome = await followClinicTimeZone({ client: hangingClient, taskQueueFor: () => 'realtime' }, em, 300);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome.pending.sort()).toEqual(['birthdayGreetings', 'customerSync', 'recurringCampaigns', 'retentionPurge', 'staffBehaviorSync']);
    expect(outcome.warning).toContain('Temporal did not answer within 0.3 s');
  });

  it('names only the Schedule that Temporal refused', async () => {
    const refusing = {
      schedule: {
        create: async (options: { scheduleId: string }) => {
          if (options.scheduleId.includes('birthday')) throw new Error('namespace is read-only');
        },
      },
    } as unknown as Client;
    const outcome = await followClinicTimeZone({ client: refusing, taskQueueFor: () => 'bulk' }, em, 5_000);
    expect(outcome.pending).toEqual(['birthdayGreetings']);
    expect(outcome.warning).toBe('These schedules could not be updated now: birthday greetings (namespace is read-only); they will be at the next start.');
  });
});

describe('the daily Schedules at API start', () => {
  it('waits for a Temporal still starting (UNAVAILABLE), then creates them; a refusal is reported without waiting', async () => {
    let attempts = 0;
    const created: string[] = [];
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established', metadata: {} });
    const startingUp = {
      schedule: {
        create: async (options: { scheduleId: string }) => {
          attempts += 1;
          if (attempts <= 8) throw unavailable; // the first two rounds (four Schedules each)
          created.push(options.scheduleId);
        },
      },
    } as unknown as Client;
    let reported: Record<string, PromiseSettledResult<unknown>> | undefined;
    await ensureClinicSchedulesAtStart({ client: startingUp, taskQueueFor: () => 'bulk' }, () => em, (outcomes) => { reported = outcomes; }, { everyMs: 10, forMs: 5_000 });
    expect(created).toHaveLength(4);
    expect(Object.values(reported!).map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);

    const refusing = { schedule: { create: async () => { attempts += 1; throw new Error('namespace is read-only'); } } } as unknown as Client;
    attempts = 0;
    await ensureClinicSchedulesAtStart({ client: refusing, taskQueueFor: () => 'bulk' }, () => em, (outcomes) => { reported = outcomes; }, { everyMs: 10, forMs: 5_000 });
    expect(attempts).toBe(4);
    expect(Object.values(reported!).filter((outcome) => outcome.status === 'rejected')).toHaveLength(4);
  });
});
