import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../common/clinic-time.ts';
import { setCustomerBirthday } from '../../../db/birthdays.store.ts';
import { AutomationSettings, BirthdayDay, BirthdayGreeting, ClinicSettings, CustomerConsent } from '../../../db/entities/index.ts';
import type { birthdayDayWorkflow } from '../../../workflows/birthday-day.workflow.ts';
import { WORKFLOWS_PATH } from '../../../worker.ts';
import { advanceClock, resultOnceClosed, simCustomers, startTimeSkippingHarness, type TimeSkippingHarness } from '../../setup/time-skipping.ts';
import type { birthdayCalendarWorkflow, CalendarRun, CalendarSegment } from '../../workflows/birthday-calendar.workflow.ts';

const SHANGHAI = 'Asia/Shanghai';
const NEW_YORK = 'America/New_York';

let h: TimeSkippingHarness;
const ids: Record<string, { id: number; externalUserId: string }> = {};

async function greetingsOf(name: string) {
  return h.db.orm.em.fork().find(BirthdayGreeting, { customer: ids[name]!.id }, { orderBy: { id: 'asc' } });
}

/** 群发 tasks for a customer; waits up to `expected` (the send path's children submit in real time). */
async function groupMessagesTo(name: string, expected = 1): Promise<number> {
  return h.groupMessagesTo(ids[name]!.externalUserId, expected);
}

/** The send path's verdict on a customer's greeting (consent screening happens there). */
async function recipientOf(name: string) {
  const rows = await h.db.orm.em.fork().getConnection().execute<Array<{ kind: string; message_class: string; state: string; skip_reason: string | null }>>(
    `select r2.kind, r2.message_class, r.state, r.skip_reason from send_recipients r join send_runs r2 on r2.id = r.run_id where r.customer_id = ?`, [ids[name]!.id]);
  return rows;
}

beforeAll(async () => {
  h = await startTimeSkippingHarness({ workflowsPath: fileURLToPath(new URL('../../workflows/birthday-calendar.workflow.ts', import.meta.url)) });
  const birthdays: Record<string, string> = {
    newYear: '1990-01-03', leapling: '2000-02-29', lost: '1990-12-30', mover: '1985-01-10', downtime: '1992-01-04', optedOut: '1991-12-25',
    dstBefore: '03-20', dstAfter: '03-22', leadGap: '1993-02-09', lateBirthday: '',
  };
  const customers = await simCustomers(h.sim, Object.keys(birthdays).length);
  const em = h.db.orm.em.fork();
  for (const [index, [name, birthday]] of Object.entries(birthdays).entries()) {
    const { externalUserId } = customers[index]!;
    ids[name] = { externalUserId, id: await h.importSimCustomer(externalUserId, { birthday: birthday === '' ? null : birthday.length === 5 ? `1904-${birthday}` : birthday }) };
    em.create(CustomerConsent, { externalUserid: externalUserId, marketing: name === 'optedOut' ? 'withdrawn' : 'granted', source: 'import', changedAt: new Date(), careOptOut: false });
  }
  await em.flush();
  await em.getConnection().execute(`update wework_customer_follows set status = 'lost' where customer_id = ?`, [ids.lost!.id]);
}, 120_000);
afterAll(async () => h?.stop());

/**
 * One calendar run (the test server's clock moves only while a test awaits a workflow or sleeps):
 * a Shanghai winter with a day of downtime, then a week of New York spring. Between the days'
 * runs the test changes a birthday on 1 January, gives a customer a birthday three days ahead on
 * 20 January, raises the lead time to 10 days on 1 February (and back to 7 on 5 February), and
 * changes the clinic's time zone on 5 March.
 */
let runs: CalendarRun[];
const runOf = (date: string) => runs.filter((run) => run.date === date);

beforeAll(async () => {
  const segments: CalendarSegment[] = [
    { from: '2026-12-01', to: '2027-03-01', hour: 10, timeZone: SHANGHAI, downtime: ['2026-12-28'] },
    { from: '2027-03-10', to: '2027-03-17', hour: 9, timeZone: NEW_YORK },
  ];
  const handle = await h.env.client.workflow.start<typeof birthdayCalendarWorkflow>('birthdayCalendarWorkflow', {
    taskQueue: h.taskQueue, workflowId: 'birthday-calendar', args: [{ segments }],
  });
  // The clock moves a day at a time (advanceClock): waiting on the whole winter's result at once can stall the test server.
  await advanceClock(h.env, Date.parse('2026-12-31T20:00:00Z'));
  // Changed before its send day (it would have been greeted on 3 January): the greeting moves.
  await setCustomerBirthday(h.db.orm.em.fork(), ids.mover!.id, '1985-01-12');
  await advanceClock(h.env, Date.parse('2027-01-20T00:00:00Z'));
  // Its 7-days-before day (16 January) has passed.
  await setCustomerBirthday(h.db.orm.em.fork(), ids.lateBirthday!.id, '1994-01-23');
  await advanceClock(h.env, Date.parse('2027-02-01T00:00:00Z'));
  // 31 January claimed up to 7 February; from 1 February the lead time is 10 days.
  await h.db.orm.em.fork().nativeUpdate(AutomationSettings, { id: 1 }, { birthdayDaysBefore: 10 });
  await advanceClock(h.env, Date.parse('2027-02-05T00:00:00Z'));
  await h.db.orm.em.fork().nativeUpdate(AutomationSettings, { id: 1 }, { birthdayDaysBefore: 7 });
  await advanceClock(h.env, Date.parse('2027-03-05T00:00:00Z'));
  await h.db.orm.em.fork().nativeUpdate(AutomationSettings, { id: 1 }, { birthdayHour: 9 });
  await h.db.orm.em.fork().nativeUpdate(ClinicSettings, { id: 1 }, { timeZone: NEW_YORK });
  await advanceClock(h.env, Date.parse('2027-03-18T00:00:00Z'));
  runs = await resultOnceClosed(h.env, handle);
}, 300_000);

describe('birthday greetings over the winter (time-skipping, Asia/Shanghai, 7 days before at 10:00)', () => {
  it('greets across the year boundary on the right clinic-local day and hour, with a single-use coupon', async () => {
    const [greeting] = await greetingsOf('newYear');
    expect(greeting).toMatchObject({ year: 2027, birthdayOn: '2027-01-03', sendOn: '2026-12-27', status: 'queued', late: false });
    expect(greeting!.couponCode).toMatch(/^BD[0-9A-F]{10}$/);
    const [run] = runOf('2026-12-27');
    expect(localDate(run!.firedAt, SHANGHAI)).toBe('2026-12-27');
    expect(Math.floor(run!.firedAt / 1000) * 1000).toBe(Date.parse('2026-12-27T02:00:00Z'));
    expect(await groupMessagesTo('newYear')).toBe(1);
  });

  it('greets a 29 February birthday on 28 February in a common year', async () => {
    expect(await greetingsOf('leapling')).toMatchObject([{ year: 2027, birthdayOn: '2027-02-28', sendOn: '2027-02-21', status: 'queued' }]);
    expect(await groupMessagesTo('leapling')).toBe(1);
  });

  it('moves a greeting when the birthday changes before the send', async () => {
    expect(await greetingsOf('mover')).toMatchObject([{ birthdayOn: '2027-01-12', sendOn: '2027-01-05', status: 'queued' }]);
    expect(runOf('2027-01-03')[0]!.result.claimed).toBe(0);
  });

  it('greets a birthday given after its day was claimed, on the next day\'s run', async () => {
    expect(await greetingsOf('lateBirthday')).toMatchObject([{ birthdayOn: '2027-01-23', sendOn: '2027-01-20', status: 'queued', late: false }]);
    expect(await groupMessagesTo('lateBirthday')).toBe(1);
  });

  it('skips no birthday when the lead time grows from 7 to 10 days', async () => {
    // 1 February's run covers 1–11 February, so 9 February (neither 31 January's 7th day nor 1 February's 10th) is greeted.
    expect(await greetingsOf('leadGap')).toMatchObject([{ birthdayOn: '2027-02-09', sendOn: '2027-02-01', status: 'queued' }]);
    expect(await groupMessagesTo('leadGap')).toBe(1);
    expect(runOf('2027-02-01')[0]!.result).toMatchObject({ birthdayOn: '2027-02-11', claimed: 1 });
  });

  it('gives a lost customer nothing, and an opted-out one no marketing', async () => {
    expect(await greetingsOf('lost')).toEqual([]);
    expect(await groupMessagesTo('lost')).toBe(0);
    expect(await greetingsOf('optedOut')).toMatchObject([{ status: 'queued' }]);
    expect(await recipientOf('optedOut')).toEqual([{ kind: 'birthday', message_class: 'marketing', state: 'skipped', skip_reason: 'no_consent' }]);
    expect(await groupMessagesTo('optedOut', 0)).toBe(0);
  });

  it('catches up a day of downtime once, late, and says so; running that day again sends nothing', async () => {
    // Nothing started a run on 28 December: the next day's scheduled run found the day missing and ran it first.
    const missed = runOf('2026-12-28');
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ catchUp: true, result: { late: true, claimed: 1, queued: 1 } });
    expect(localDate(missed[0]!.firedAt, SHANGHAI)).toBe('2026-12-29');
    expect(await greetingsOf('downtime')).toMatchObject([{ sendOn: '2026-12-28', late: true, status: 'queued' }]);
    const days = await h.db.orm.em.fork().find(BirthdayDay, { day: { $in: ['2026-12-27', '2026-12-28', '2026-12-29'] } }, { orderBy: { day: 'asc' } });
    expect(days.map((d) => [d.day, d.late, d.caughtUpOn, d.queued])).toEqual([
      ['2026-12-27', false, null, 1], ['2026-12-28', true, '2026-12-29', 1], ['2026-12-29', false, null, 0],
    ]);
    // Only the missed day was caught up, once, over the whole winter.
    expect(runs.filter((run) => run.catchUp && run.date < '2027-03-02').map((run) => run.date)).toEqual(['2026-12-28']);
    // The catch-up run replays against today's code; `npm run record:histories` keeps it as a fixture
    // for tests/unit/workflow-replay.test.ts (its payloads are dates and counts, no customer data).
    const history = await h.env.client.workflow.getHandle('birthday-calendar:2026-12-29').fetchHistory();
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history);
    if (process.env.RECORD_HISTORIES === '1') writeFileSync(new URL('../../fixtures/histories/birthdayDayWorkflow.catch-up.json', import.meta.url), `${historyToJSON(history)}\n`);

    const again = await h.env.client.workflow.execute<typeof birthdayDayWorkflow>('birthdayDayWorkflow', {
      taskQueue: h.taskQueue, workflowId: 'operator-rerun', args: [{ date: '2026-12-28' }],
    });
    expect(again).toMatchObject({ claimed: 0, queued: 0, runId: null });
    expect(await groupMessagesTo('downtime')).toBe(1);
    const { messages } = (await (await fetch(`${h.sim.url}/sim/messages?kind=app`)).json()) as { messages: Array<{ body: unknown }> };
    expect(messages.filter((m) => JSON.stringify(m.body).includes('补发：原定 2026-12-28'))).toHaveLength(1);
  });

  it('greets every customer at most once a year', async () => {
    const rows = await h.db.orm.em.fork().getConnection().execute<Array<{ n: string }>>('select count(*) as n from birthday_greetings group by customer_id, year having count(*) > 1');
    expect(rows).toEqual([]);
    expect(runs.filter((run) => run.date < '2027-03-10').reduce((sum, run) => sum + run.result.queued, 0)).toBe(7);
  });
});

describe('in a clinic time zone with daylight saving (America/New_York, 09:00)', () => {
  it('greets on the right local day and hour on both sides of the spring change', async () => {
    expect(await greetingsOf('dstBefore')).toMatchObject([{ sendOn: '2027-03-13', birthdayOn: '2027-03-20', status: 'queued' }]);
    expect(await greetingsOf('dstAfter')).toMatchObject([{ sendOn: '2027-03-15', birthdayOn: '2027-03-22', status: 'queued' }]);
    // 09:00 EST is 14:00 UTC; after 14 March 09:00 EDT is 13:00 UTC.
    const [before] = runOf('2027-03-13');
    const [after] = runOf('2027-03-15');
    expect(Math.floor(before!.firedAt / 1000) * 1000).toBe(Date.parse('2027-03-13T14:00:00Z'));
    expect(Math.floor(after!.firedAt / 1000) * 1000).toBe(Date.parse('2027-03-15T13:00:00Z'));
    expect(before!.result).toMatchObject({ date: '2027-03-13', queued: 1, late: false });
    expect(after!.result).toMatchObject({ date: '2027-03-15', queued: 1, late: false });
  });
});
