import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simulatedWeather } from '../../../activities/triggers/weather.ts';
import { customerPageRoutes } from '../../../api/routes/customer-pages.ts';
import { exitJourneysOf } from '../../../api/routes/journey-signals.ts';
import type { JourneyStep } from '../../../common/journeys.schema.ts';
import { workflowIds } from '../../../common/workflow-ids.ts';
import { consentPageToken } from '../../../db/compliance.store.ts';
import { saveJourney } from '../../../db/journeys.store.ts';
import { Appointment, CustomerConsent, JourneyEnrollment } from '../../../db/entities/index.ts';
import type { customerLostWorkflow } from '../../../workflows/customer-lost.workflow.ts';
import type { journeyWorkflow } from '../../../workflows/journey.workflow.ts';
import { advanceClock, resultOnceClosed, simCustomers, startTimeSkippingHarness, type TimeSkippingHarness } from '../../setup/time-skipping.ts';

const DAY = 86_400_000;
let h: TimeSkippingHarness;
let people: Array<{ externalUserId: string; userId: string; id: number }>;

beforeAll(async () => {
  // Rain on a fixed day of the test server's calendar is too fragile: it rains every day here.
  h = await startTimeSkippingHarness({ extraDeps: { weather: simulatedWeather({ fixed: 'rain' }) } });
  const customers = await simCustomers(h.sim, 7);
  people = [];
  const em = h.db.orm.em.fork();
  for (const [index, customer] of customers.entries()) {
    people.push({ ...customer, id: await h.importSimCustomer(customer.externalUserId) });
    // The seventh has only been offered the consent page (its welcome's {consent} link), not answered it.
    if (index < 6) em.create(CustomerConsent, { externalUserid: customer.externalUserId, marketing: 'granted', source: 'import', changedAt: new Date(), careOptOut: false });
  }
  await em.flush();
}, 120_000);
afterAll(async () => h?.stop());
// A journey's sends are send-run workflows it abandons (they outlive it, tracking WeCom for days).
// The time-skipping server does not skip while their activities run, so one case's leftovers would
// stall the next case's timers: end them when the case is done.
afterEach(async () => {
  const runs = await h.db.orm.em.fork().getConnection().execute<Array<{ id: number }>>('select id from send_runs');
  await Promise.all(runs.map((run) => h.env.client.workflow.getHandle(workflowIds.sendRun(run.id)).terminate('test case finished').catch(() => undefined)));
});

const days = (n: number): JourneyStep => ({ kind: 'wait', duration: { days: n, hours: 0, minutes: 0 } });
const send = (text: string): JourneyStep => ({ kind: 'send', text });

function start(journey: { id: number; version: number }, person: { externalUserId: string; userId: string; id: number }) {
  return h.env.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
    taskQueue: h.taskQueue, workflowId: workflowIds.journey(person.externalUserId, person.userId),
    args: [{ journeyId: journey.id, version: journey.version, customerId: person.id, externalUserId: person.externalUserId, userId: person.userId }],
  });
}

/** The journey texts the send path created runs for, for one customer, in order. */
async function journeyTexts(customerId: number): Promise<string[]> {
  const rows = await h.db.orm.em.fork().getConnection().execute<Array<{ text: string }>>(
    `select r.content->>'text' as text from send_runs r join send_recipients x on x.run_id = r.id where r.kind = 'journey' and x.customer_id = ? order by r.id`, [customerId]);
  return rows.map((row) => row.text);
}

describe('journeys (time-skipping)', () => {
  it('a customer who books on day 2 leaves before the day-3 step', async () => {
    const journey = await saveJourney(h.db.orm.em.fork(), { name: '小红书新客', channel: 'xhs', active: true, steps: [send('第1天'), days(1), send('第2天'), days(1), send('第3天')] });
    const person = people[0]!;
    const handle = await start(journey, person);
    await advanceClock(h.env, { by: DAY + DAY / 2 });
    // What POST /api/appointments does after booking: the row, then an exit to each journey the customer is in.
    const em = h.db.orm.em.fork();
    em.create(Appointment, { customer: person.id, externalUserid: person.externalUserId, staffUserid: person.userId, project: '水光针', startsAt: new Date(Date.now() + 3 * DAY) });
    await em.flush();
    expect(await exitJourneysOf(h.env.client, em, person.id, 'booked')).toBe(1);
    expect(await resultOnceClosed(h.env, handle)).toMatchObject({ status: 'exited', exitReason: 'booked', stepsRun: 3 });
    expect(await journeyTexts(person.id)).toEqual(['第1天', '第2天']);
    expect(await h.groupMessagesTo(person.externalUserId, 2)).toBe(2);
    const enrollment = await h.db.orm.em.fork().findOneOrFail(JourneyEnrollment, { workflowId: handle.workflowId });
    expect(enrollment).toMatchObject({ status: 'exited', exitReason: 'booked', stepIndex: 3, version: 1 });
  });

  it('a journey edited while customers are in it leaves them on their version', async () => {
    const v1 = await saveJourney(h.db.orm.em.fork(), { name: '抖音新客', channel: 'douyin', active: true, steps: [days(2), send('旧版问候')] });
    const early = await start(v1, people[1]!);
    await advanceClock(h.env, { by: DAY / 2 });
    const v2 = await saveJourney(h.db.orm.em.fork(), { name: '抖音新客', channel: 'douyin', active: true, steps: [days(1), send('新版问候'), { kind: 'tag', tag: '已触达' }] }, v1.id);
    expect(v2).toMatchObject({ id: v1.id, version: 2 });
    // The customer already in it finishes the version they started with…
    expect(await resultOnceClosed(h.env, early)).toMatchObject({ version: 1, status: 'completed', stepsRun: 2 });
    // …and the next customer of the channel starts the new one.
    const late = await start(v2, people[2]!);
    expect(await resultOnceClosed(h.env, late)).toMatchObject({ version: 2, status: 'completed', stepsRun: 3 });
    expect(await journeyTexts(people[1]!.id)).toEqual(['旧版问候']);
    expect(await journeyTexts(people[2]!.id)).toEqual(['新版问候']);
    const counts = await h.db.orm.em.fork().getConnection().execute<Array<{ version: number; n: string }>>(
      'select version, count(*) as n from journey_enrollments where journey_id = ? group by version order by version', [v1.id]);
    expect(counts.map((row) => [row.version, Number(row.n)])).toEqual([[1, 1], [2, 1]]);
  });

  it('a lost relationship ends the journey (customerLostWorkflow → stopAutomationsFor)', async () => {
    const journey = await saveJourney(h.db.orm.em.fork(), { name: '朋友圈', channel: 'moments', active: true, steps: [days(3), send('不该发出')] });
    const person = people[3]!;
    const handle = await start(journey, person);
    await advanceClock(h.env, { by: DAY });
    await resultOnceClosed(h.env, await h.env.client.workflow.start<typeof customerLostWorkflow>('customerLostWorkflow', {
      taskQueue: h.taskQueue, workflowId: `lost:${person.externalUserId}`,
      args: [{ version: 1, kind: 'del_follow_user', dedupeKey: `lost-${person.externalUserId}`, userId: person.userId, externalUserId: person.externalUserId, createTime: Math.floor(Date.now() / 1000) }],
    }));
    expect(await resultOnceClosed(h.env, handle)).toMatchObject({ status: 'exited', exitReason: 'lost', stepsRun: 0 });
    expect(await journeyTexts(person.id)).toEqual([]);
  });

  it('withdrawing consent on the consent page ends a waiting journey at once, before its next send', async () => {
    const journey = await saveJourney(h.db.orm.em.fork(), { name: '老带新', channel: 'referral', active: true, steps: [days(3), send('不该发出的优惠')] });
    const person = people[5]!;
    const handle = await start(journey, person);
    await advanceClock(h.env, { by: DAY });
    // The public page the customer opens from WeCom (api/routes/customer-pages.ts), as the server mounts it.
    const pages = customerPageRoutes({ em: () => h.db.orm.em.fork(), temporal: { client: h.env.client } });
    const token = await consentPageToken(h.db.orm.em.fork(), person.externalUserId);
    const response = await pages.request(`/c/${token}`, { method: 'POST', body: new URLSearchParams({ action: 'withdraw' }) });
    expect(response.status).toBe(200);
    // Ended by the signal during the wait (stepsRun 0); the check before the next step would only
    // have caught it after the 3-day wait (stepsRun 1, stepIndex 1).
    expect(await resultOnceClosed(h.env, handle)).toMatchObject({ status: 'exited', exitReason: 'opted_out', stepsRun: 0 });
    expect(await journeyTexts(person.id)).toEqual([]);
    const enrollment = await h.db.orm.em.fork().findOneOrFail(JourneyEnrollment, { workflowId: handle.workflowId });
    expect(enrollment).toMatchObject({ status: 'exited', exitReason: 'opted_out', stepIndex: 0 });
  });

  it('keeps a customer who was offered the consent page and has not answered it (no withdrawal): the journey runs its steps', async () => {
    const journey = await saveJourney(h.db.orm.em.fork(), { name: '美团新客', channel: 'meituan', active: true, steps: [days(1), { kind: 'tag', tag: '未答复同意' }] });
    const person = people[6]!;
    await consentPageToken(h.db.orm.em.fork(), person.externalUserId);
    expect(await resultOnceClosed(h.env, await start(journey, person))).toMatchObject({ status: 'completed', stepsRun: 2 });
  });

  it('branches on the weather trigger: a rainy day sends the skincare tip, a booked check skips', async () => {
    const journey = await saveJourney(h.db.orm.em.fork(), {
      name: '大众点评', channel: 'dianping', active: true,
      steps: [
        { kind: 'waitUntil', time: '09:30' },
        { kind: 'branch', condition: { type: 'weather', is: 'rain' }, elseSkip: 1 },
        send('下雨天注意补水保湿'),
        { kind: 'branch', condition: { type: 'booked' }, elseSkip: 1 },
        send('已预约客户才会收到'),
      ],
    });
    const person = people[4]!;
    expect(await resultOnceClosed(h.env, await start(journey, person))).toMatchObject({ status: 'completed', stepsRun: 4 });
    expect(await journeyTexts(person.id)).toEqual(['下雨天注意补水保湿']);
  });
});
