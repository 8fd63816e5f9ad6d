import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CampaignView, ConsumptionImportResult } from '../../common/campaigns.schema.ts';
import { createSendRunActivities } from '../../activities/send-run.activities.ts';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { xlsxWorkbook } from '../../api/customers/spreadsheet.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { liveTaskCoverage, mirrorSimCustomers } from '../setup/campaigns.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * The campaign contract (SPEC §3) driven as an outside client does: HTTP, signed in, CSRF header.
 * The simulator's records are the proof of what reached WeCom.
 */

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let admin: Session;
let everyone: string[];
const ADD = 'externalcontact/add_msg_template';

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);

async function call<T>(session: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await request(path, {
    method, headers: { ...session.headers(), 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function waitForStatus(id: number, statuses: string[], timeoutMs = 60_000): Promise<CampaignView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call<CampaignView>(marketer, 'GET', `/api/campaigns/${id}`);
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`campaign ${id} stayed ${body.status}: ${JSON.stringify(body.counts)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The external_userids each add_msg_template call carried, from the simulator's records. */
function submittedIds(): Set<string> {
  const ids = new Set<string>();
  for (const msg of product.sim.state.groupMsgs.values()) for (const t of msg.tasks) for (const id of t.external_userids) ids.add(id);
  return ids;
}

async function launch(name: string, text = '双十二护肤节，老客专享礼。'): Promise<number> {
  const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name, audience: {}, content: { text } });
  expect(created.status).toBe(201);
  const launched = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`);
  expect(launched.status).toBe(202);
  return created.body.id;
}

/** Per sender, every live task covers each of the sender's submitted recipients exactly once. */
function expectExactlyOnceCoverage(before: ReadonlySet<string>, expected: number): void {
  let covered = 0;
  for (const [sender, ids] of liveTaskCoverage(product.sim, before)) {
    for (const [id, n] of ids) expect(n, `${sender} → ${id}`).toBe(1);
    covered += ids.size;
  }
  expect(covered).toBe(expected);
}

const existingTasks = () => new Set(product.sim.state.groupMsgs.keys());

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, { app: { sendTiming: { trackEveryMs: 300, remindAfterMs: 60_000, windowMs: 30_000 } } });
  product.sim.controls.reset({ customers: 120 });
  product.sim.controls.setOptions({ groupMsgConfirmDelayMs: 300 });
  await mirrorSimCustomers(db.orm, product.sim);
  everyone = [...product.sim.state.customers.keys()];
  await createUser(db.orm, { username: 'mkt', password: 'marketer-pass-1', role: 'marketer' });
  await createUser(db.orm, { username: 'boss', password: 'admin-pass-123', role: 'admin' });
  marketer = await signIn(request, 'mkt', 'marketer-pass-1');
  admin = await signIn(request, 'boss', 'admin-pass-123');
}, 120_000);

afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

beforeEach(() => {
  product.sim.controls.clearFaults();
});

describe('consent (POST /api/consents) and the audience preview', () => {
  it('records a bulk import and shows how much of the audience has consented', async () => {
    const before = await call<{ count: number; consented: number; sample: unknown[] }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: {} });
    expect(before.status).toBe(200);
    expect(before.body.count).toBe(everyone.length);
    expect(before.body.consented).toBe(0);
    expect(before.body.sample.length).toBe(10);

    const granted = await call<{ updated: number }>(marketer, 'POST', '/api/consents', {
      externalUserIds: everyone.slice(0, 100), marketing: 'granted', source: 'his_import', evidence: '2026-11 门店纸质同意书',
    });
    expect(granted).toEqual({ status: 200, body: { updated: 100 } });
    // `evidence: null`, as Jackson writes a field nobody set, is an absent evidence.
    const withdrawn = await call<{ updated: number }>(marketer, 'POST', '/api/consents', { externalUserIds: everyone.slice(90, 100), marketing: 'withdrawn', source: 'staff_relay', evidence: null });
    expect(withdrawn.body.updated).toBe(10);

    const after = await call<{ count: number; consented: number }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: {} });
    expect(after.body).toMatchObject({ count: everyone.length, consented: 90 });
    const ledger = await call<{ marketing: string; events: Array<{ marketing: string; source: string }> }>(marketer, 'GET', `/api/consents/${everyone[95]}`);
    expect(ledger.body.marketing).toBe('withdrawn');
    expect(ledger.body.events.map((e) => `${e.marketing}:${e.source}`)).toEqual(['withdrawn:staff_relay', 'granted:his_import']);

    const tooMany = await call(marketer, 'POST', '/api/consents', { externalUserIds: Array.from({ length: 1001 }, (_, i) => `x${i}`), marketing: 'granted', source: 'x' });
    expect(tooMany.status).toBe(400);
  });
});

describe('a campaign to the whole audience', () => {
  it('submits each consented recipient once per sender, skips the rest with reasons, and the results add up', async () => {
    product.sim.controls.resetStats();
    const before = existingTasks();
    const id = await launch('双十二');
    const done = await waitForStatus(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');

    const senders = new Set([...product.sim.state.groupMsgs.values()].flatMap((m) => m.tasks.map((t) => t.userid)));
    // Σ⌈recipients per sender / 10,000⌉ = one call per sender here.
    expect(product.sim.controls.callCount(ADD)).toBe(senders.size);
    expect(done.counts.audience).toBe(everyone.length);
    expect(done.skippedByReason).toEqual({ no_consent: 20, consent_withdrawn: 10 });
    expect(done.counts.skipped).toBe(30);
    expect(done.counts.submitted).toBe(90);
    expect(done.counts.delivered + done.counts.failed + done.counts.skipped).toBe(done.counts.audience);
    expect(done.counts.confirmed).toBe(90);

    // No one without consent appears in any add_msg_template call.
    const sent = submittedIds();
    for (const id of everyone.slice(90)) expect(sent.has(id)).toBe(false);
    expectExactlyOnceCoverage(before, 90);
    // One sender per customer, even for customers followed by two staff members.
    const perCustomer = new Map<string, number>();
    for (const msg of product.sim.state.groupMsgs.values()) for (const t of msg.tasks) for (const x of t.external_userids) perCustomer.set(x, (perCustomer.get(x) ?? 0) + 1);
    expect(Math.max(...perCustomer.values())).toBe(1);

    const list = await call<{ items: Array<{ id: number; status: string }>; total: number }>(marketer, 'GET', '/api/campaigns?page=1&pageSize=5');
    expect(list.body.items[0]).toMatchObject({ id, status: 'completed' });
    expect(done.staff.reduce((a, s) => a + s.planned, 0)).toBe(90);
  }, 90_000);
});

describe('two fires of one campaign at once', () => {
  const runsOf = async (id: number) => (await db.orm.em.getConnection().execute<Array<{ id: number }>>('select id from send_runs where campaign_id = ?', [id])).map((row) => row.id);

  it('launches at once (a double click, a script retrying after a timeout): one is taken, the others told 409, one send', async () => {
    const before = existingTasks();
    const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '连点几次', audience: {}, content: { text: '周末焕肤体验，老客到店有礼。' } });
    const answers = await Promise.all([1, 2, 3, 4].map(() => call<{ error?: { code: string } }>(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`)));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error!.code).toBe('invalid_state');
    expect((await waitForStatus(created.body.id, ['completed', 'failed'])).status).toBe('completed');
    expect(await runsOf(created.body.id)).toHaveLength(1);
    expectExactlyOnceCoverage(before, 90);
  }, 90_000);

  it('a one-off campaign launched by hand as its Schedule fires gets one run: the other fire sends nothing', async () => {
    const before = existingTasks();
    const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', {
      name: '定时又手动', audience: {}, content: { text: '元旦焕新季，预约即享专属礼遇。' }, schedule: { at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(created.status).toBe(201);
    expect((await call(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`)).status).toBe(202);
    // The Schedule's fire that started just before the launch removed the Schedule (as it starts one: same workflow, same input).
    const fire = await product.temporal.client.workflow.start('campaignRunWorkflow', {
      taskQueue: product.taskQueue, workflowId: `campaign:${created.body.id}:fire-${new Date().toISOString()}`,
      args: [{ campaignId: created.body.id, send: { trackEveryMs: 300, remindAfterMs: 60_000, windowMs: 30_000 } }],
    });
    expect(await fire.result()).toEqual({ runId: null, status: 'already_launched' });
    expect((await waitForStatus(created.body.id, ['completed', 'failed'])).status).toBe('completed');
    expect(await runsOf(created.body.id)).toHaveLength(1);
    expectExactlyOnceCoverage(before, 90);
  }, 90_000);
});

describe('the compliance gate', () => {
  it('blocks launch while the content has a forbidden term, naming it and why', async () => {
    const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '违规', audience: {}, content: { text: '保证效果，永久有效' } });
    expect(created.status).toBe(201);
    expect(created.body.termHits.map((h) => h.term)).toEqual(['保证', '永久']);
    const launched = await call<{ error: { code: string; message: string } }>(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`);
    expect(launched.status).toBe(422);
    expect(launched.body.error.code).toBe('forbidden_terms');
    expect(launched.body.error.message).toContain('保证');
    expect(launched.body.error.message).toContain('第十六条');

    const edited = await call<CampaignView>(marketer, 'PATCH', `/api/campaigns/${created.body.id}`, { content: { text: '冬季补水护理，欢迎预约' } });
    expect(edited.status).toBe(200);
    expect(edited.body.termHits).toEqual([]);
    expect(edited.body.version).toBe(2);
  });

  it('lets admins add a term, which then blocks', async () => {
    const added = await call(admin, 'POST', '/api/compliance/terms', { term: '秒杀', reason: '价格诱导 / price bait' });
    expect(added.status).toBe(201);
    const forbidden = await call(marketer, 'POST', '/api/compliance/terms', { term: '特价', reason: 'x' });
    expect(forbidden.status).toBe(403);
    const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '秒杀', audience: {}, content: { text: '今晚秒杀' } });
    expect((await call(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`)).status).toBe(422);
  });
});

describe('a lost WeCom answer and rate limits', () => {
  it('finds the task a lost add_msg_template created instead of creating a second one', async () => {
    product.sim.controls.resetStats();
    const before = existingTasks();
    product.sim.controls.loseResponses(1, ADD);
    const id = await launch('丢失应答');
    const done = await waitForStatus(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    const created = product.sim.state.groupMsgs.size - before.size;
    const senders = done.staff.length;
    // The lost call created a task; the retry found it by list_v2 instead of calling again for that batch.
    expect(created).toBe(senders);
    expect(product.sim.controls.callCount(ADD)).toBe(senders);
    expect(product.sim.controls.callCount('externalcontact/get_groupmsg_list_v2')).toBeGreaterThanOrEqual(1);
    expect(done.counts.submitted).toBe(90);
    expect(done.counts.delivered + done.counts.failed + done.counts.skipped).toBe(done.counts.audience);
    expectExactlyOnceCoverage(before, 90);
  }, 90_000);

  it('a second attempt of a batch while the first still waits for WeCom submits nothing: one live task per sender', async () => {
    product.sim.controls.resetStats();
    const before = existingTasks();
    product.sim.controls.holdCallsUntil(ADD, 1_000, 60_000);
    const id = await launch('并发重试');
    // The first batch's add_msg_template has reached WeCom and waits there for its answer.
    await vi.waitFor(() => expect(product.sim.controls.callCount(ADD)).toBeGreaterThanOrEqual(1), { timeout: 30_000, interval: 100 });
    const inFlight = product.sim.controls.callCount(ADD);
    const [batch] = await db.orm.em.fork().getConnection().execute<Array<{ id: number }>>(
      `select b.id from send_batches b join send_runs r on r.id = b.run_id where r.campaign_id = ? and b.state = 'submitting' order by b.id limit 1`, [id]);
    // Temporal gave up on that attempt (a heartbeat timeout) and runs the batch again meanwhile.
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    const again = createSendRunActivities({ orm: db.orm, wecom: async () => api });
    await expect(new MockActivityEnvironment().run(again.submitSendBatch, { batchId: batch!.id })).rejects.toMatchObject({ type: 'submit_in_flight' });
    expect(product.sim.controls.callCount(ADD)).toBe(inFlight);
    product.sim.controls.releaseHeldCalls(ADD);
    const done = await waitForStatus(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(product.sim.state.groupMsgs.size - before.size).toBe(done.staff.length);
    expectExactlyOnceCoverage(before, 90);
  }, 90_000);

  it('slows down on 45009 instead of failing', async () => {
    product.sim.controls.resetStats();
    const before = existingTasks();
    product.sim.controls.forceError(45009, 2, ADD);
    const id = await launch('限流');
    const done = await waitForStatus(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(product.sim.controls.callCount(ADD)).toBe(done.staff.length + 2);
    expect(done.counts.submitted).toBe(90);
    expectExactlyOnceCoverage(before, 90);
  }, 90_000);

  it('a sender WeCom no longer knows (60111) fails that sender\'s batch only: the other senders are sent and the campaign completes', async () => {
    product.sim.controls.resetStats();
    const before = existingTasks();
    product.sim.controls.forceError(60111, 1, ADD);
    const id = await launch('员工离职');
    const done = await waitForStatus(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(product.sim.state.groupMsgs.size - before.size).toBe(done.staff.length - 1);
    expect(done.counts.failed).toBeGreaterThan(0);
    expect(done.failedByReason).toMatchObject({ rejected: done.counts.failed });
    expect(done.counts.delivered + done.counts.failed + done.counts.skipped).toBe(done.counts.audience);
  }, 90_000);
});

describe('pause, resume and cancel', () => {
  it('pause holds further submissions and resume continues', async () => {
    product.sim.controls.resetStats();
    product.sim.controls.setLatency(1_500, ADD);
    const id = await launch('暂停');
    await expect.poll(() => product.sim.controls.callCount(ADD), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const paused = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${id}/pause`);
    expect(paused.status).toBe(202);
    expect(paused.body.status).toBe('paused');
    const atPause = product.sim.controls.callCount(ADD);
    await new Promise((r) => setTimeout(r, 4_000));
    // At most the call in flight when pause arrived completes; nothing new starts.
    expect(product.sim.controls.callCount(ADD)).toBe(atPause);
    expect((await call(marketer, 'POST', `/api/campaigns/${id}/pause`)).status).toBe(409);
    expect((await call(marketer, 'POST', `/api/campaigns/${id}/resume`)).status).toBe(202);
    const done = await waitForStatus(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.counts.submitted).toBe(90);
  }, 90_000);

  it('cancel cancels the submitted tasks and stops reminders', async () => {
    product.sim.controls.setOptions({ groupMsgConfirmDelayMs: null });
    try {
      const tasksBefore = new Set(product.sim.state.groupMsgs.keys());
      const id = await launch('取消');
      await expect.poll(async () => (await call<CampaignView>(marketer, 'GET', `/api/campaigns/${id}`)).body.counts.submitted, { timeout: 20_000 }).toBe(90);
      const reminded = await call<{ reminded: number }>(marketer, 'POST', `/api/campaigns/${id}/remind`, {});
      expect(reminded.status).toBe(202);
      expect(reminded.body.reminded).toBeGreaterThan(0);
      const cancelled = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${id}/cancel`);
      expect(cancelled.status).toBe(202);
      const done = await waitForStatus(id, ['cancelled']);
      const ours = [...product.sim.state.groupMsgs.values()].filter((m) => !tasksBefore.has(m.msgid));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.every((m) => m.canceled)).toBe(true);
      await new Promise((r) => setTimeout(r, 1_000));
      const reminders = product.sim.controls.callCount('externalcontact/remind_groupmsg_send');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(product.sim.controls.callCount('externalcontact/remind_groupmsg_send')).toBe(reminders);
      const final = await call<CampaignView>(marketer, 'GET', `/api/campaigns/${id}`);
      expect(final.body.failedByReason).toEqual({ cancelled: 90 });
      expect(done.counts.delivered + final.body.counts.failed + final.body.counts.skipped).toBe(final.body.counts.audience);
      expect((await call(marketer, 'POST', `/api/campaigns/${id}/resume`)).status).toBe(409);
    } finally {
      product.sim.controls.setOptions({ groupMsgConfirmDelayMs: 300 });
    }
  }, 90_000);
});

describe('a withdrawal while a send waits', () => {
  it('a customer who withdraws while the screened send is paused is skipped when it resumes, never sent', async () => {
    const before = existingTasks();
    const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '暂停中撤回', audience: {}, content: { text: '春季补水季，老客专享。' } });
    expect((await call(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`)).status).toBe(202);
    expect((await call(marketer, 'POST', `/api/campaigns/${created.body.id}/pause`)).status).toBe(202);
    const queued = async () => Number((await db.orm.em.fork().getConnection().execute<Array<{ n: string }>>(
      `select count(*) as n from send_recipients x join send_runs r on r.id = x.run_id where r.campaign_id = ? and x.state = 'queued'`, [created.body.id]))[0]!.n);
    // Screened and cut into batches while paused: every consented customer is queued, nothing submitted.
    await vi.waitFor(async () => expect(await queued()).toBe(90), { timeout: 30_000, interval: 200 });
    const who = everyone[0]!;
    expect((await call(marketer, 'POST', '/api/consents', { externalUserIds: [who], marketing: 'withdrawn', source: 'staff_relay' })).status).toBe(200);
    expect((await call(marketer, 'POST', `/api/campaigns/${created.body.id}/resume`)).status).toBe(202);
    const done = await waitForStatus(created.body.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.counts.submitted).toBe(89);
    expect(done.skippedByReason).toMatchObject({ consent_withdrawn: 11 });
    expect([...liveTaskCoverage(product.sim, before).values()].some((ids) => ids.has(who))).toBe(false);
    expect((await call(marketer, 'POST', '/api/consents', { externalUserIds: [who], marketing: 'granted', source: 'staff_relay', evidence: '客户重新同意' })).status).toBe(200);
  }, 90_000);
});

describe('pause and cancel right after launch (before the launch has made its run)', () => {
  it('a pause sent at once holds the whole send until resumed; a cancel sent at once sends nothing', async () => {
    product.sim.controls.resetStats();
    const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '立即暂停', audience: {}, content: { text: '元旦焕新，老客专享。' } });
    // As a script does: the pause goes out the moment the launch is accepted, before its run exists.
    const launched = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`);
    expect(launched.status).toBe(202);
    const paused = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${created.body.id}/pause`);
    expect(paused.status).toBe(202);
    expect(paused.body.status).toBe('paused');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(product.sim.controls.callCount(ADD)).toBe(0);
    expect((await call<CampaignView>(marketer, 'GET', `/api/campaigns/${created.body.id}`)).body.status).toBe('paused');
    expect((await call(marketer, 'POST', `/api/campaigns/${created.body.id}/resume`)).status).toBe(202);
    const done = await waitForStatus(created.body.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.counts.submitted).toBe(90);

    const tasksBefore = existingTasks();
    const second = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '立即取消', audience: {}, content: { text: '元旦焕新，老客专享。' } });
    expect((await call(marketer, 'POST', `/api/campaigns/${second.body.id}/launch`)).status).toBe(202);
    const cancelled = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${second.body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    expect((await waitForStatus(second.body.id, ['cancelled'])).status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 2_000));
    const ours = [...product.sim.state.groupMsgs.values()].filter((m) => !tasksBefore.has(m.msgid));
    expect(ours.every((m) => m.canceled)).toBe(true);
    expect((await call<CampaignView>(marketer, 'GET', `/api/campaigns/${second.body.id}`)).body.status).toBe('cancelled');
  }, 90_000);
});

describe('schedules', () => {
  it('a campaign scheduled at a time is sent by its Temporal Schedule; a recurring one can be edited and cancelled before it fires', async () => {
    const at = new Date(Date.now() + 4_000).toISOString();
    const once = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '定时', audience: { staff: ['zhangsan'] }, content: { text: '周末到店有礼' }, schedule: { at } });
    expect(once.status).toBe(201);
    expect(once.body.status).toBe('scheduled');
    const done = await waitForStatus(once.body.id, ['completed', 'failed'], 60_000);
    expect(done.status).toBe('completed');
    expect(done.counts.submitted).toBeGreaterThan(0);
    expect(done.staff.map((s) => s.sender)).toEqual(['zhangsan']);

    const weekly = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '每周', audience: {}, content: { text: '本周护理提醒' }, schedule: { cron: '0 10 * * 1', timezone: 'Asia/Shanghai' } });
    expect(weekly.body.status).toBe('scheduled');
    const handle = product.temporal.client.schedule.getHandle(`campaign:${weekly.body.id}:schedule`);
    expect((await handle.describe()).scheduleId).toBe(`campaign:${weekly.body.id}:schedule`);
    const edited = await call<CampaignView>(marketer, 'PATCH', `/api/campaigns/${weekly.body.id}`, { schedule: { cron: '0 11 * * 2' } });
    expect(edited.status).toBe(200);
    expect(edited.body.schedule).toEqual({ cron: '0 11 * * 2' });
    const cancelled = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${weekly.body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('cancelled');
    await expect(handle.describe()).rejects.toThrow();
    expect((await call(marketer, 'PATCH', `/api/campaigns/${weekly.body.id}`, { name: 'x' })).status).toBe(409);
  }, 90_000);

  it('refuses a schedule that could never fire as meant (400, no campaign made), takes the ISO-8601 forms clients send, and keeps the Schedule an edit was refused for', async () => {
    const campaigns = async () => Number((await db.orm.em.fork().getConnection().execute<Array<{ n: string }>>('select count(*) as n from campaigns'))[0]!.n);
    const before = await campaigns();
    const refused = async (schedule: unknown) => {
      const answer = await call<{ error: { code: string; message: string } }>(marketer, 'POST', '/api/campaigns', { name: '不该建', audience: {}, content: { text: '提醒' }, schedule });
      expect(answer.status, JSON.stringify(schedule)).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
      return answer.body.error.message;
    };
    await expect(refused({ cron: '* * * * *' })).resolves.toMatch(/^schedule\.cron: the minute must be one number/);
    await expect(refused({ cron: '@every 1m' })).resolves.toMatch(/^schedule\.cron: cron needs five fields/);
    await expect(refused({ cron: '0 10 * * 1', timezone: 'Mars/Olympus' })).resolves.toMatch(/^schedule\.timezone/);
    await expect(refused({ at: new Date(Date.now() - 60_000).toISOString() })).resolves.toMatch(/schedule\.at is not in the future/);
    await expect(refused({ at: '2027-02-30T10:00:00+08:00' })).resolves.toMatch(/^schedule\.at must be an ISO-8601 time/);
    await expect(refused({ at: '2027-01-05T10:00:00' })).resolves.toMatch(/^schedule\.at must be an ISO-8601 time with an offset/);
    const preview = await call<{ error: { message: string } }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: { addedFrom: '2025-02-30' } });
    expect(preview.status).toBe(400);
    expect(preview.body.error.message).toMatch(/^audience\.addedFrom: no such day/);
    const noSegment = await call<{ error: { message: string } }>(marketer, 'POST', '/api/campaigns', { name: '不该建', audience: { segmentId: 999_999 }, content: { text: '提醒' } });
    expect(noSegment).toMatchObject({ status: 400, body: { error: { message: 'audience.segmentId: segment 999999 does not exist' } } });
    expect(await campaigns()).toBe(before);

    // Without seconds and with a +08:00 offset (as Java's OffsetDateTime prints it on the hour): stored as the same instant in UTC.
    const year = new Date().getUTCFullYear() + 1;
    const at = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '明年', audience: {}, content: { text: '新年快乐' }, schedule: { at: `${year}-01-05T10:00+08:00` } });
    expect(at.status).toBe(201);
    expect(at.body.schedule).toEqual({ at: `${year}-01-05T02:00:00.000Z` });
    const info = await product.temporal.client.schedule.getHandle(`campaign:${at.body.id}:schedule`).describe();
    expect(info.info.nextActionTimes.map((t) => t.toISOString())).toEqual([`${year}-01-05T02:00:00.000Z`]);

    // An edit Temporal would have to refuse leaves the campaign and its Schedule as they were.
    const weekly = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '工作日', audience: {}, content: { text: '早安提醒' }, schedule: { cron: '0 9 * * MON-FRI' } });
    expect(weekly.status).toBe(201);
    const handle = product.temporal.client.schedule.getHandle(`campaign:${weekly.body.id}:schedule`);
    const nextBefore = (await handle.describe()).info.nextActionTimes.map((t) => t.toISOString());
    expect((await call(marketer, 'PATCH', `/api/campaigns/${weekly.body.id}`, { schedule: { cron: '*/5 9 * * *' } })).status).toBe(400);
    expect((await call<CampaignView>(marketer, 'GET', `/api/campaigns/${weekly.body.id}`)).body).toMatchObject({ status: 'scheduled', schedule: { cron: '0 9 * * MON-FRI' } });
    expect((await handle.describe()).info.nextActionTimes.map((t) => t.toISOString())).toEqual(nextBefore);
    for (const id of [at.body.id, weekly.body.id]) expect((await call(marketer, 'POST', `/api/campaigns/${id}/cancel`)).status).toBe(202);

    // Optional fields written as null (Jackson, Gson) are read as absent: a draft for everyone, a link without a description.
    const nulls = await call<CampaignView>(marketer, 'POST', '/api/campaigns', {
      name: '空值', audience: { tags: null, segmentId: null, addedFrom: null }, schedule: null,
      content: { text: '你好', attachments: [{ type: 'link', title: '活动', url: 'https://clinic.example.com/a', desc: null, picurl: null }] },
    });
    expect(nulls.status).toBe(201);
    expect(nulls.body).toMatchObject({ status: 'draft', audience: {}, schedule: null, content: { attachments: [{ type: 'link', title: '活动', url: 'https://clinic.example.com/a' }] } });
    const clinicClock = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '每周', audience: {}, content: { text: '你好' }, schedule: { cron: '0 10 * * 1', timezone: null } });
    expect(clinicClock).toMatchObject({ status: 201, body: { status: 'scheduled', schedule: { cron: '0 10 * * 1' } } });
    expect((await call(marketer, 'POST', `/api/campaigns/${clinicClock.body.id}/cancel`)).status).toBe(202);
  }, 60_000);

  it('a recurring campaign fires again while an earlier fire still waits for staff confirmation: the Schedule never skips it', async () => {
    product.sim.controls.setOptions({ groupMsgConfirmDelayMs: null });
    try {
      const before = existingTasks();
      const daily = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '每日', audience: { staff: ['zhangsan'] }, content: { text: '每日护理小贴士' }, schedule: { cron: '0 10 * * *' } });
      // A fire as the Schedule's clock makes it, under the Schedule's own overlap policy (the SDK's
      // trigger() would allow every overlap).
      const fire = () => product.temporal.client.workflowService.patchSchedule({
        namespace: product.temporal.namespace, scheduleId: `campaign:${daily.body.id}:schedule`, identity: 'campaigns.test', requestId: randomUUID(),
        patch: { triggerImmediately: { overlapPolicy: 0 } },
      });
      await fire();
      // The first fire's task waits for zhangsan, who has not confirmed it.
      await vi.waitFor(() => expect(existingTasks().size).toBe(before.size + 1), { timeout: 30_000, interval: 200 });
      // A fire's workflow id ends with its time in whole seconds: two fires in one second would be one.
      await new Promise((r) => setTimeout(r, 1_100));
      await fire();
      await vi.waitFor(async () => expect((await call<CampaignView>(marketer, 'GET', `/api/campaigns/${daily.body.id}`)).body.runs).toBe(2), { timeout: 30_000, interval: 200 });
      await vi.waitFor(() => expect(existingTasks().size).toBe(before.size + 2), { timeout: 30_000, interval: 200 });
      expect((await call(marketer, 'POST', `/api/campaigns/${daily.body.id}/cancel`)).status).toBe(202);
    } finally {
      product.sim.controls.setOptions({ groupMsgConfirmDelayMs: 300 });
    }
  }, 90_000);

  it('pausing a recurring campaign pauses its Schedule: it can be edited while paused, a fire while paused sends nothing; after resume it fires and sends again', async () => {
    const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '每周暂停', audience: { staff: ['zhangsan'] }, content: { text: '每周护理小贴士' }, schedule: { cron: '0 10 * * 1' } });
    const id = created.body.id;
    const schedule = product.temporal.client.schedule.getHandle(`campaign:${id}:schedule`);
    // The Schedule's fires, as Monday 10:00 would start them; answers the fire's result.
    const fire = async () => {
      const fired = (await schedule.describe()).info.recentActions.length;
      await schedule.trigger();
      for (;;) {
        const { recentActions } = (await schedule.describe()).info;
        if (recentActions.length > fired) return product.temporal.client.workflow.getHandle(recentActions.at(-1)!.action.workflow.workflowId).result();
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    // Paused before its first fire: the Schedule is paused, and a fire anyway (an operator's trigger) sends nothing.
    const paused = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${id}/pause`);
    expect(paused.status).toBe(202);
    expect(paused.body.status).toBe('paused');
    expect((await schedule.describe()).state.paused).toBe(true);
    // Edited while paused (often why it was paused): its new Schedule stays paused with it.
    const edited = await call<CampaignView>(marketer, 'PATCH', `/api/campaigns/${id}`, { content: { text: '每周护理小贴士（冬季版）' }, schedule: { cron: '0 11 * * 2' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'paused', schedule: { cron: '0 11 * * 2' } });
    expect((await schedule.describe()).state.paused).toBe(true);
    const tasksBefore = existingTasks();
    expect(await fire()).toEqual({ runId: null, status: 'paused' });
    const still = (await call<CampaignView>(marketer, 'GET', `/api/campaigns/${id}`)).body;
    expect(still).toMatchObject({ status: 'paused', runs: 0 });
    expect(existingTasks()).toEqual(tasksBefore);

    // Resumed: waiting for its next fire again, which sends.
    const resumed = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${id}/resume`);
    expect(resumed.body.status).toBe('scheduled');
    expect((await schedule.describe()).state.paused).toBe(false);
    void fire();
    const sending = await waitForStatus(id, ['running']);
    expect(sending.runs).toBe(1);
    const deadline = Date.now() + 30_000;
    while (existingTasks().size === tasksBefore.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(existingTasks().size).toBeGreaterThan(tasksBefore.size);

    // Paused mid-run: the run and the Schedule both pause; cancelling removes the Schedule.
    expect((await call<CampaignView>(marketer, 'POST', `/api/campaigns/${id}/pause`)).status).toBe(202);
    expect((await waitForStatus(id, ['paused'])).status).toBe('paused');
    expect((await schedule.describe()).state.paused).toBe(true);
    // Its run is still going on: not editable until that run ends.
    expect((await call(marketer, 'PATCH', `/api/campaigns/${id}`, { name: '改名' })).status).toBe(409);
    expect((await call<CampaignView>(marketer, 'POST', `/api/campaigns/${id}/cancel`)).status).toBe(202);
    await expect(schedule.describe()).rejects.toThrow();

    // Cancelled while paused between fires: no run to ask, the campaign and its Schedule just end.
    const other = (await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '每周取消', audience: {}, content: { text: '每周护理小贴士' }, schedule: { cron: '0 10 * * 1' } })).body.id;
    expect((await call<CampaignView>(marketer, 'POST', `/api/campaigns/${other}/pause`)).body.status).toBe('paused');
    const cancelled = await call<CampaignView>(marketer, 'POST', `/api/campaigns/${other}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('cancelled');
    await expect(product.temporal.client.schedule.getHandle(`campaign:${other}:schedule`).describe()).rejects.toThrow();
  }, 90_000);
});

describe('the consent page and withdrawal', () => {
  it('a customer grants and withdraws on the page; the withdrawal keeps them out of the next send at once', async () => {
    const customer = everyone[110]!;
    const link = await call<{ url: string }>(marketer, 'GET', `/api/consents/${customer}/link`);
    const token = link.body.url.split('/c/')[1]!;
    const page = await request(`/c/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('2026-12-v1');
    const grant = await request(`/c/${token}`, { method: 'POST', body: new URLSearchParams({ action: 'grant' }) });
    expect(await grant.text()).toContain('data-state="granted"');
    const ledger = await call<{ marketing: string; events: Array<{ source: string; textVersion: string | null }> }>(marketer, 'GET', `/api/consents/${customer}`);
    expect(ledger.body.marketing).toBe('granted');
    expect(ledger.body.events[0]).toMatchObject({ source: 'page', textVersion: '2026-12-v1' });

    await request(`/c/${token}`, { method: 'POST', body: new URLSearchParams({ action: 'withdraw' }) });
    const id = (await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '撤回', audience: { externalUserIds: [customer] }, content: { text: '新年问候' } })).body.id;
    expect((await call(marketer, 'POST', `/api/campaigns/${id}/launch`)).status).toBe(202);
    const done = await waitForStatus(id, ['completed', 'failed']);
    expect(done.skippedByReason).toEqual({ consent_withdrawn: 1 });
    expect(done.counts.submitted).toBe(0);
    expect(await request('/c/not-a-token')).toHaveProperty('status', 404);
  }, 60_000);
});

describe('frequency caps', () => {
  it('skips customers over the clinic\'s monthly cap, lists them with the reason, and never sends them', async () => {
    const settings = await call<{ monthlyCap: number | null }>(admin, 'PUT', '/api/compliance/settings', { monthlyCap: 1 });
    expect(settings.body.monthlyCap).toBe(1);
    expect((await call(marketer, 'PUT', '/api/compliance/settings', { monthlyCap: 5 })).status).toBe(403);
    try {
      const before = existingTasks();
      const id = await launch('封顶');
      const done = await waitForStatus(id, ['completed', 'failed']);
      expect(done.skippedByReason.clinic_monthly_cap).toBeGreaterThan(0);
      const skipped = await call<{ items: Array<{ externalUserId: string; skipReason: string }>; total: number }>(marketer, 'GET', `/api/campaigns/${id}/recipients?state=skipped&pageSize=1000`);
      const capped = skipped.body.items.filter((r) => r.skipReason === 'clinic_monthly_cap').map((r) => r.externalUserId);
      expect(capped.length).toBe(done.skippedByReason.clinic_monthly_cap);
      const sentNow = new Set<string>();
      for (const msg of product.sim.state.groupMsgs.values()) if (!before.has(msg.msgid)) for (const t of msg.tasks) for (const x of t.external_userids) sentNow.add(x);
      for (const x of capped) expect(sentNow.has(x)).toBe(false);
      expect(done.counts.delivered + done.counts.failed + done.counts.skipped).toBe(done.counts.audience);
    } finally {
      await call(admin, 'PUT', '/api/compliance/settings', { monthlyCap: null });
    }
  }, 60_000);
});

/** Sends a campaign with `content` to lisi's customers (uploads counted from zero); answers the tasks it created. */
async function sendToLisi(name: string, content: unknown): Promise<Array<{ text: unknown; attachments: unknown[] }>> {
  product.sim.controls.resetStats();
  const before = existingTasks();
  const created = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name, audience: { staff: ['lisi'] }, content });
  expect(created.status).toBe(201);
  expect((await call(marketer, 'POST', `/api/campaigns/${created.body.id}/launch`)).status).toBe(202);
  expect((await waitForStatus(created.body.id, ['completed', 'failed'])).status).toBe('completed');
  return [...product.sim.state.groupMsgs.values()].filter((m) => !before.has(m.msgid));
}

/** A PNG the simulator serves (a channel code's QR). */
const simImageUrl = () => `${product.sim.url}/sim/qr/${[...product.sim.state.contactWays.keys()][0]!}.png`;

describe('image attachments', () => {
  it('uploads each image as temporary media just before submitting, one upload per batch', async () => {
    const ours = await sendToLisi('图片', { text: '新品上市', attachments: [{ type: 'image', url: simImageUrl() }] });
    expect(ours.length).toBe(1);
    expect(ours[0]!.attachments).toEqual([{ msgtype: 'image', image: { media_id: expect.stringMatching(/^3sim/) } }]);
    expect(product.sim.controls.callCount('media/upload')).toBe(1);
  }, 60_000);
});

describe('images uploaded through the builder (POST /api/campaign-media)', () => {
  /** Uploads `bytes` as the builder does (multipart field `file`). */
  async function upload(session: Session, bytes: Uint8Array, name = 'poster.png'): Promise<Response> {
    const form = new FormData();
    form.append('file', new File([bytes], name, { type: 'image/png' }));
    const { 'content-type': _json, ...headers } = session.headers();
    return request('/api/campaign-media', { method: 'POST', headers, body: form });
  }

  it('stores the image, sends it as temporary media, reuses the media id while it is fresh and uploads again once it is 60 hours old', async () => {
    const png = new Uint8Array(await (await fetch(simImageUrl())).arrayBuffer());
    const stored = await upload(marketer, png);
    expect(stored.status).toBe(201);
    const { id, url } = (await stored.json()) as { id: number; url: string };
    expect(url).toMatch(new RegExp(`/api/campaign-media/${id}$`));
    // Any signed-in role sees it (the builder's preview); the bytes are the ones uploaded.
    const shown = await request(`/api/campaign-media/${id}`, { headers: marketer.headers() });
    expect(shown.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await shown.arrayBuffer())).toEqual(png);
    // The same file again is the same row.
    expect(((await (await upload(marketer, png)).json()) as { id: number }).id).toBe(id);

    const first = await sendToLisi('上传图片 1', { text: '新品上市', attachments: [{ type: 'image', url }] });
    const mediaId = (first[0]!.attachments[0] as { image: { media_id: string } }).image.media_id;
    expect(product.sim.state.media.has(mediaId)).toBe(true);
    expect(product.sim.controls.callCount('media/upload')).toBe(1);
    // A second campaign within the media id's life reuses it: no upload.
    const second = await sendToLisi('上传图片 2', { text: '新品上市', attachments: [{ type: 'image', url }] });
    expect(second[0]!.attachments).toEqual([{ msgtype: 'image', image: { media_id: mediaId } }]);
    expect(product.sim.controls.callCount('media/upload')).toBe(0);
    // 60 hours later (WeCom keeps it 72) the send path uploads the stored bytes again before submitting.
    await db.orm.em.fork().getConnection().execute(`update campaign_media set wecom_uploaded_at = now() - interval '61 hours' where id = ?`, [id]);
    const third = await sendToLisi('上传图片 3', { text: '新品上市', attachments: [{ type: 'image', url }] });
    const renewed = (third[0]!.attachments[0] as { image: { media_id: string } }).image.media_id;
    expect(renewed).not.toBe(mediaId);
    expect(product.sim.controls.callCount('media/upload')).toBe(1);
  }, 90_000);

  it('refuses what is not a PNG or JPG with invalid_image, and viewers cannot upload', async () => {
    const text = await upload(marketer, new TextEncoder().encode('<svg onload="x"/>'), 'x.png');
    expect(text.status).toBe(422);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('invalid_image');
    await createUser(db.orm, { username: 'view', password: 'viewer-pass-12', role: 'viewer' });
    const viewer = await signIn(request, 'view', 'viewer-pass-12');
    expect((await upload(viewer, new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).status).toBe(403);
  });

  it('the simulator refuses an image media_id it never issued (40007), as WeCom does', async () => {
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    await expect(api.groupMsg.addMsgTemplate({
      chat_type: 'single', sender: 'lisi', external_userid: [everyone[0]!], text: { content: 'x' },
      attachments: [{ msgtype: 'image', image: { media_id: 'never-uploaded' } }],
    })).rejects.toMatchObject({ errcode: 40007 });
  });
});

describe('mini-program attachments', () => {
  it('uploads the cover as temporary media per batch and sends the card with the media id WeCom issued', async () => {
    const ours = await sendToLisi('小程序', {
      text: '点击预约', attachments: [{ type: 'miniprogram', appid: 'wx8bd80126147dfa7a', page: 'pages/booking/index', title: '在线预约', picUrl: simImageUrl() }],
    });
    expect(ours.length).toBe(1);
    const card = ours[0]!.attachments[0] as { msgtype: string; miniprogram: { pic_media_id: string } };
    expect(card).toEqual({ msgtype: 'miniprogram', miniprogram: { title: '在线预约', appid: 'wx8bd80126147dfa7a', page: 'pages/booking/index', pic_media_id: expect.stringMatching(/^3sim/) } });
    expect(product.sim.state.media.has(card.miniprogram.pic_media_id)).toBe(true);
    expect(product.sim.controls.callCount('media/upload')).toBe(1);
  }, 60_000);

  it('the simulator refuses a card whose pic_media_id it never issued (40007), as WeCom does', async () => {
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    await expect(api.groupMsg.addMsgTemplate({
      chat_type: 'single', sender: 'lisi', external_userid: [everyone[0]!], text: { content: 'x' },
      attachments: [{ msgtype: 'miniprogram', miniprogram: { title: 't', appid: 'wx1', page: 'p', pic_media_id: 'never-uploaded' } }],
    })).rejects.toMatchObject({ errcode: 40007 });
  });
});

describe('content variables', () => {
  it('fills {staff} with each sender\'s name at submission', async () => {
    const conn = db.orm.em.getConnection();
    await conn.execute(`insert into wework_staff (created_at, updated_at, userid, name, department_ids, active) values (now(), now(), 'lisi', '李四', '[]', true) on conflict (userid) do update set name = excluded.name`);
    const ours = await sendToLisi('变量', { text: '您好，我是{staff}，本周有空来店里吗？' });
    expect(ours.map((m) => (m.text as { content?: string }).content)).toEqual(['您好，我是李四，本周有空来店里吗？']);
  }, 60_000);

  it('refuses per-customer variables at save with a code and a bilingual reason', async () => {
    const created = await call<{ error: { code: string; message: string } }>(marketer, 'POST', '/api/campaigns', { name: '变量', audience: {}, content: { text: '{name} 您好' } });
    expect(created.status).toBe(422);
    expect(created.body.error.code).toBe('unsupported_variable');
    expect(created.body.error.message).toContain('{name}');
    expect(created.body.error.message).toMatch(/群发.*one identical text/s);
    const draft = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '草稿', audience: {}, content: { text: '你好' } });
    const patched = await call<{ error: { code: string } }>(marketer, 'PATCH', `/api/campaigns/${draft.body.id}`, { content: { text: '你好 {phone}' } });
    expect(patched.status).toBe(422);
    expect(patched.body.error.code).toBe('unsupported_variable');
  });
});

/** A care send run to every customer from their first staff member, made as another feature would (send path step 1); answers its id. */
async function careRunToEveryone(text: string): Promise<number> {
  const conn = db.orm.em.getConnection();
  const [run] = await conn.execute<Array<{ id: number }>>(
    `insert into send_runs (created_at, updated_at, kind, message_class, content, status, paused) values (now(), now(), 'journey', 'care', ?::jsonb, 'pending', false) returning id`,
    [JSON.stringify({ text })]);
  await conn.execute(
    `insert into send_recipients (run_id, customer_id, external_userid, sender, state)
     select ?, c.id, c.external_userid, (select f.staff_userid from wework_customer_follows f where f.customer_id = c.id order by f.followed_at limit 1), 'pending'
       from wework_customers c`, [run!.id]);
  return run!.id;
}

describe('continue-as-new', () => {
  it('a send that continues as new after every two activities still submits each recipient once and finishes', async () => {
    const before = existingTasks();
    const runId = await careRunToEveryone('术后第 3 天回访：恢复得怎么样？');
    const handle = await product.temporal.client.workflow.start('sendRunWorkflow', {
      taskQueue: product.taskQueue, workflowId: `send-run:${runId}`, args: [{ runId, trackEveryMs: 200, windowMs: 30_000, activitiesPerRun: 2 }],
    });
    expect(await handle.result()).toEqual({ status: 'completed' });
    // Care messages need no marketing consent: everyone with a relationship was submitted.
    expectExactlyOnceCoverage(before, everyone.length);
    const runs = [];
    for await (const w of product.temporal.client.workflow.list({ query: `WorkflowId = "send-run:${runId}"` })) runs.push(w.runId);
    expect(runs.length).toBeGreaterThan(2);
  }, 60_000);
});

describe('the send window', () => {
  it('withdraws the tasks staff have not confirmed when the window closes: their recipients are not_confirmed, and a late tap sends nothing', async () => {
    product.sim.controls.setOptions({ groupMsgConfirmDelayMs: null });
    try {
      const before = existingTasks();
      const runId = await careRunToEveryone('换季护肤提醒：注意保湿');
      const conn = db.orm.em.getConnection();
      const handle = await product.temporal.client.workflow.start('sendRunWorkflow', {
        taskQueue: product.taskQueue, workflowId: `send-run:${runId}`, args: [{ runId, trackEveryMs: 200, windowMs: 2_000 }],
      });
      // One sender confirms in time; the others never do.
      const tasks = () => [...product.sim.state.groupMsgs.values()].filter((msg) => !before.has(msg.msgid));
      await vi.waitFor(() => expect(tasks().length).toBeGreaterThan(1), { timeout: 30_000, interval: 100 });
      const [confirmed, ...unconfirmed] = tasks();
      product.sim.controls.confirmGroupMsg(confirmed!.msgid);
      expect(await handle.result()).toEqual({ status: 'completed' });
      expect(confirmed!.canceled).toBe(false);
      expect(unconfirmed.map((msg) => msg.canceled)).toEqual(unconfirmed.map(() => true));
      for (const msg of unconfirmed) expect(product.sim.controls.confirmGroupMsg(msg.msgid)).toBe(0);
      const results = await conn.execute<Array<{ result: string; n: string }>>(`select result, count(*) as n from send_recipients where run_id = ? and state = 'submitted' group by result order by result`, [runId]);
      const confirmedCount = confirmed!.tasks.reduce((sum, task) => sum + task.external_userids.length, 0);
      expect(results).toEqual([
        { result: 'delivered', n: String(confirmedCount) },
        { result: 'not_confirmed', n: String(everyone.length - confirmedCount) },
      ]);
    } finally {
      product.sim.controls.setOptions({ groupMsgConfirmDelayMs: 300 });
    }
  }, 60_000);
});

describe('audience filters', () => {
  it('each filter selects the same customers inline, from a saved segment and in the customer list, with a consented count', async () => {
    const conn = db.orm.em.fork().getConnection();
    const [a, b, c] = [everyone[20]!, everyone[21]!, everyone[22]!];
    // A and B carry the tag 年卡 (A also 敏感肌); A was born in March; B was added in 2020; C visited 100 days ago (dormant).
    await conn.execute(`insert into tags (created_at, updated_at, group_name, name) values (now(), now(), '会员', '年卡'), (now(), now(), '会员', '敏感肌') on conflict do nothing`);
    const tagId = async (name: string) => (await conn.execute<Array<{ id: number }>>(`select id from tags where name = ?`, [name]))[0]!.id;
    const [card, sensitive] = [await tagId('年卡'), await tagId('敏感肌')];
    const customerId = async (ext: string) => (await conn.execute<Array<{ id: number }>>(`select id from wework_customers where external_userid = ?`, [ext]))[0]!.id;
    for (const [ext, tag] of [[a, card], [b, card], [a, sensitive]] as const) {
      await conn.execute(`insert into wework_customer_tags (wework_customer_id, tag_id) values (?, ?) on conflict do nothing`, [await customerId(ext), tag]);
    }
    await conn.execute(`update wework_customers set birthday = '1990-03-15' where external_userid = ?`, [a]);
    await conn.execute(`update wework_customers set birthday = null where external_userid <> ? and extract(month from birthday) = 3`, [a]);
    await conn.execute(`update wework_customers set added_at = '2020-06-01T04:00:00Z' where external_userid = ?`, [b]);
    await conn.execute(`insert into customer_consumptions (external_userid, kind, occurred_at, amount_fen, source, external_ref, created_at) values (?, 'visit', now() - interval '100 days', 0, 'filters', 'f-1', now())`, [c]);
    const [follow] = await conn.execute<Array<{ staff_userid: string; state: string | null }>>(
      `select f.staff_userid, f.state from wework_customer_follows f join wework_customers x on x.id = f.customer_id where x.external_userid = ? and f.status = 'active' order by f.id limit 1`, [a]);
    const activeWhere = async (where: string, params: unknown[] = []) => Number((await conn.execute<Array<{ n: string }>>(
      `select count(distinct x.id) as n from wework_customers x join wework_customer_follows f on f.customer_id = x.id and f.status = 'active' where ${where}`, params))[0]!.n);

    const cases: Array<{ name: string; inline: Record<string, unknown>; segment: Record<string, unknown>; expected: number }> = [
      { name: 'tags', inline: { tags: ['年卡'] }, segment: { tagIds: [card] }, expected: 2 },
      { name: 'tags minus excluded', inline: { tags: ['年卡'], excludeTags: ['敏感肌'] }, segment: { tagIds: [card], excludeTagIds: [sensitive] }, expected: 1 },
      { name: 'staff', inline: { staff: [follow!.staff_userid] }, segment: { staff: follow!.staff_userid }, expected: await activeWhere('f.staff_userid = ?', [follow!.staff_userid]) },
      { name: 'added date', inline: { addedFrom: '2020-01-01', addedTo: '2020-12-31' }, segment: { addedFrom: '2020-01-01', addedTo: '2020-12-31' }, expected: 1 },
      { name: 'birthday month', inline: { birthdayMonth: 3 }, segment: { birthdayMonth: 3 }, expected: 1 },
      { name: 'tier', inline: { tiers: ['dormant'] }, segment: { tiers: ['dormant'] }, expected: await activeWhere(`exists (select 1 from customer_consumptions k where k.external_userid = x.external_userid group by k.external_userid having max(k.occurred_at) between now() - interval '180 days' and now() - interval '90 days')`) },
      { name: 'no visit in 30 days', inline: { noConsumptionDays: 30 }, segment: { noConsumptionDays: 30 }, expected: await activeWhere(`not exists (select 1 from customer_consumptions k where k.external_userid = x.external_userid and k.occurred_at >= now() - interval '30 days')`) },
    ];
    if (follow!.state) cases.push({ name: 'channel', inline: { channels: [follow!.state] }, segment: { channel: follow!.state }, expected: await activeWhere('f.state = ?', [follow!.state]) });
    const consentedOf = async (ids: string[]) => Number((await conn.execute<Array<{ n: string }>>(
      `select count(*) as n from customer_consents where marketing = 'granted' and external_userid in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(ids)]))[0]!.n);

    for (const [i, item] of cases.entries()) {
      const inline = await call<{ count: number; consented: number; sample: Array<{ externalUserId: string }> }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: item.inline });
      expect(inline.body.count, `${item.name} inline`).toBe(item.expected);
      if (inline.body.count <= 10) expect(inline.body.consented, `${item.name} consented`).toBe(await consentedOf(inline.body.sample.map((x) => x.externalUserId)));
      const saved = await call<{ id: number }>(marketer, 'POST', '/api/segments', { name: `筛选 ${i}`, filter: { ...item.segment, status: 'active' } });
      expect(saved.status, item.name).toBe(201);
      const fromSegment = await call<{ count: number; consented: number }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: { segmentId: saved.body.id } });
      expect(fromSegment.body, `${item.name} from segment`).toEqual({ ...inline.body, sample: expect.any(Array) });
      const list = await call<{ total: number }>(marketer, 'GET', `/api/customers?segmentId=${saved.body.id}&pageSize=1`);
      expect(list.body.total, `${item.name} customer list`).toBe(item.expected);
    }
    // The tier counts of the consumption tests below start from no recorded visits.
    await conn.execute(`delete from customer_consumptions where source = 'filters'`);
  });
});

describe('consumption data and tiers', () => {
  it('previews an import (matches and errors), imports it once, tiers customers, and targets "no visit in 30 days"', async () => {
    const day = 86400_000;
    const records = [
      { externalUserId: everyone[0]!, kind: 'purchase', occurredAt: new Date(Date.now() - 5 * day).toISOString(), amountYuan: 3800, project: '水光针', externalRef: 'his-1' },
      { externalUserId: everyone[0]!, kind: 'visit', occurredAt: new Date(Date.now() - 200 * day).toISOString(), externalRef: 'his-2' },
      { externalUserId: everyone[1]!, kind: 'visit', occurredAt: new Date(Date.now() - 120 * day).toISOString(), externalRef: 'his-3' },
      { externalUserId: 'wmNobodyWeKnow', kind: 'visit', occurredAt: new Date().toISOString(), externalRef: 'his-4' },
    ];
    const preview = await call<{ matched: number; unmatched: Array<{ externalRef: string }>; imported: number }>(marketer, 'POST', '/api/consumptions', { source: 'his', dryRun: true, records });
    expect(preview.body).toMatchObject({ matched: 3, imported: 0, unmatched: [{ externalRef: 'his-4', reason: 'unknown_customer' }] });
    const imported = await call<{ imported: number }>(marketer, 'POST', '/api/consumptions', { source: 'his', records });
    expect(imported.body.imported).toBe(3);
    const again = await call<{ imported: number; duplicates: number }>(marketer, 'POST', '/api/consumptions', { source: 'his', records });
    expect(again.body).toMatchObject({ imported: 0, duplicates: 3 });

    const tiers = await call<{ tiers: Record<string, number> }>(marketer, 'GET', '/api/consumptions/tiers');
    expect(tiers.body.tiers.active).toBe(1);
    expect(tiers.body.tiers.dormant).toBe(1);
    const dormant = await call<{ count: number; sample: Array<{ externalUserId: string }> }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: { tiers: ['dormant'] } });
    expect(dormant.body.sample.map((s) => s.externalUserId)).toEqual([everyone[1]]);
    const all = await call<{ count: number }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: {} });
    const noVisit = await call<{ count: number }>(marketer, 'POST', '/api/campaigns/audience-preview', { audience: { noConsumptionDays: 30 } });
    expect(noVisit.body.count).toBe(all.body.count - 1);
  });

  /** Uploads a spreadsheet to the import, as the dashboard does (multipart: file, source, apply). */
  async function importSheet(session: Session, file: File, apply: boolean): Promise<{ status: number; body: ConsumptionImportResult & { error?: { code: string } } }> {
    const form = new FormData();
    form.append('file', file);
    form.append('source', 'excel');
    form.append('apply', String(apply));
    const { 'content-type': _json, ...headers } = session.headers();
    const response = await request('/api/consumptions/import', { method: 'POST', headers, body: form });
    return { status: response.status, body: (await response.json()) as ConsumptionImportResult & { error?: { code: string } } };
  }

  it('imports a spreadsheet: a preview of matches and errors first, then only the good rows, once, audited; viewers cannot', async () => {
    const conn = db.orm.em.fork().getConnection();
    // A customer known to the clinic's HIS by phone number, which staff keep in the WeCom remark.
    const byPhone = everyone[5]!;
    await conn.execute(`update wework_customer_follows set remark = '王女士 13800138000' where customer_id = (select id from wework_customers where external_userid = ?)`, [byPhone]);
    const csv = [
      '客户,类型,日期,金额,项目,单号',
      `${everyone[3]},消费,2026-11-20 15:30,"¥3,800",水光针,A-1001`,
      '138 0013 8000,到店,2026/11/21,,,A-1002',
      'wmNobodyWeKnow,到店,2026-11-22,,,A-1003',
      `${everyone[4]},到店,2026-02-31,,,A-1004`,
      `${everyone[4]},消费,2026-11-23,abc,,A-1005`,
      `${everyone[3]},消费,2026-11-20 15:30,"¥3,800",水光针,A-1001`,
    ].join('\n');
    const file = new File([csv], '消费记录.csv', { type: 'text/csv' });
    const preview = await importSheet(marketer, file, false);
    expect(preview.status).toBe(200);
    expect(preview.body.rows.map((r) => [r.line, r.error])).toEqual([
      [2, null], [3, null], [4, 'no_match'], [5, 'invalid_date'], [6, 'invalid_amount'], [7, 'duplicate'],
    ]);
    expect(preview.body.rows[0]).toMatchObject({ kind: 'purchase', amountYuan: 3800, project: '水光针', occurredAt: '2026-11-20T15:30:00+08:00', match: { externalUserId: everyone[3], by: 'external_id' } });
    expect(preview.body.rows[1]).toMatchObject({ kind: 'visit', match: { externalUserId: byPhone, by: 'phone' } });
    expect(preview.body).toMatchObject({ matched: 5, errors: 4, imported: 0, applied: false });
    const count = async () => Number((await conn.execute<Array<{ n: string }>>(`select count(*) as n from customer_consumptions where source = 'excel'`))[0]!.n);
    expect(await count()).toBe(0);

    const applied = await importSheet(marketer, file, true);
    expect(applied.body).toMatchObject({ imported: 2, applied: true });
    expect(await count()).toBe(2);
    // The same file again: every good row is now a duplicate, nothing is added.
    const again = await importSheet(marketer, file, true);
    expect(again.body.imported).toBe(0);
    expect(again.body.rows.slice(0, 2).map((r) => r.error)).toEqual(['duplicate', 'duplicate']);
    const [audit] = await conn.execute<Array<{ details: { imported: number; rows: number } }>>(`select details from audit_logs where action = 'consumption.import' order by id limit 1`);
    expect(audit!.details).toMatchObject({ imported: 2, rows: 6 });

    // Excel (.xlsx) reads the same, dates as Excel day serials included.
    const workbook = xlsxWorkbook('消费', [['外部联系人ID', '类型', '日期', '金额'], [everyone[6]!, '到店', 46000, null]]);
    const xlsx = await importSheet(marketer, new File([workbook], 'visits.xlsx'), false);
    expect(xlsx.body.rows).toMatchObject([{ line: 2, error: null, kind: 'visit', occurredAt: '2025-12-09T00:00:00+08:00', match: { externalUserId: everyone[6] } }]);

    await createUser(db.orm, { username: 'view2', password: 'viewer-pass-12', role: 'viewer' });
    const viewer = await signIn(request, 'view2', 'viewer-pass-12');
    expect((await importSheet(viewer, file, false)).status).toBe(403);
    const garbage = await importSheet(marketer, new File([new Uint8Array([0x50, 0x4b, 1, 2, 3])], 'x.xlsx'), false);
    expect(garbage.body.error?.code).toBe('unreadable_file');
  });
});
