import { writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CampaignView } from '../../common/campaigns.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { Tag, WeworkCallbackLog, WeworkCustomer } from '../../db/entities/index.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { mirrorSimCustomers } from '../setup/campaigns.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, deliverAgain, startTestProduct, type TestProduct } from '../setup/product.ts';
import { RECORDING_SECRET_KEY } from '../setup/recording-key.ts';

/**
 * Re-records tests/fixtures/histories/*.json: runs every workflow of workflows/index.ts once
 * through the real product (API, worker, simulator) and saves its Temporal history. Skipped unless
 * RECORD_HISTORIES=1 (`npm run record:histories`). Re-record after a deliberate, patched() change
 * and commit the new files next to the old ones (rename the old one first, e.g.
 * onboardCustomerWorkflow.before-journeys.json): old histories must keep replaying
 * (tests/unit/workflow-replay.test.ts). The product runs with RECORDING_SECRET_KEY, so the payloads
 * in the recorded histories are encrypted as in production; the replay test decodes them with it.
 */

const RECORD = process.env.RECORD_HISTORIES === '1';
const DIR = new URL('../fixtures/histories/', import.meta.url);

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let admin: Session;
const em = () => db.orm.em.fork();
const DAY = 86_400_000;

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
/** One API call as the dashboard makes it (signed in, CSRF header, JSON). */
async function call<T>(session: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await request(path, { method, headers: session.headers(), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as T };
}

async function save(workflowType: string, workflowId: string) {
  const handle = product.temporal.client.workflow.getHandle(workflowId);
  await handle.result();
  const history = await handle.fetchHistory();
  writeFileSync(new URL(`${workflowType}.json`, DIR), `${historyToJSON(history)}\n`);
}

/** The workflow id the callback endpoint used for the event this XML carries. */
async function workflowOf(changeType: string, externalUserId: string | null) {
  let id = '';
  await vi.waitFor(async () => {
    const log = await em().findOneOrFail(WeworkCallbackLog, { changeType, ...(externalUserId ? { externalUserid: externalUserId } : {}), outcome: 'accepted', processed: true }, { orderBy: { id: 'desc' } });
    id = log.workflowId!;
  }, { timeout: 30_000, interval: 100 });
  return id;
}

describe.runIf(RECORD)('recording workflow histories', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    // Short send timings (as tests/integration/campaigns.test.ts) so a campaign's send run finishes in seconds.
    product = await startTestProduct(db, { secretKey: RECORDING_SECRET_KEY, app: { sendTiming: { trackEveryMs: 300, remindAfterMs: 60_000, windowMs: 30_000 } } });
    product.sim.controls.setOptions({ groupMsgConfirmDelayMs: 300 });
    await createUser(db.orm, { username: 'mkt', password: 'marketer-pass-1', role: 'marketer' });
    await createUser(db.orm, { username: 'boss', password: 'admin-pass-123', role: 'admin' });
    marketer = await signIn(request, 'mkt', 'marketer-pass-1');
    admin = await signIn(request, 'boss', 'admin-pass-123');
  }, 60_000);
  afterAll(async () => {
    await product?.stop();
    await db?.drop();
  });

  it('records one run of every workflow', async () => {
    // The channel's journey: onboarding starts it as a child; one tag, then exit, so it ends at once.
    const journey = await call<{ id: number }>(marketer, 'POST', '/api/journeys', { name: '录制旅程', channel: 'record', steps: [{ kind: 'tag', tag: '旅程' }, { kind: 'exit' }] });
    expect(journey.status).toBe(201);
    const configId = await createChannelCode(db, product, { state: 'record', remark: '录制', welcome: '{name}您好' });
    const scan = product.sim.controls.scan({ config_id: configId, name: '录制' });
    const externalUserId = scan.customer.external_userid;
    await scan.done;
    await save('onboardCustomerWorkflow', await workflowOf('add_external_contact', externalUserId));
    await save('journeyWorkflow', workflowIds.journey(externalUserId, 'zhangsan'));

    const add = scan.delivery.xml;
    const other = (changeType: string, extra = '') => add
      .replace(/<ChangeType><!\[CDATA\[add_external_contact\]\]><\/ChangeType>/, `<ChangeType><![CDATA[${changeType}]]></ChangeType>${extra}`)
      .replace(/<State>.*?<\/State>/, '').replace(/<WelcomeCode>.*?<\/WelcomeCode>/, '')
      .replace(/<CreateTime>(\d+)<\/CreateTime>/, (_, t: string) => `<CreateTime>${Number(t) + 1}</CreateTime>`);
    expect((await deliverAgain(product, other('edit_external_contact'))).status).toBe(200);
    await save('refreshCustomerWorkflow', await workflowOf('edit_external_contact', externalUserId));
    expect((await deliverAgain(product, other('transfer_fail', '<FailReason><![CDATA[customer_refused]]></FailReason>'))).status).toBe(200);
    await save('recordTransferFailureWorkflow', await workflowOf('transfer_fail', externalUserId));

    const customer = await em().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId });
    const tag = await em().findOneOrFail(Tag, { name: '录制' });
    const tagsId = workflowIds.customerTags(externalUserId, 'recorded');
    await product.temporal.client.workflow.start('customerTagsWorkflow', {
      taskQueue: product.taskQueue, workflowId: tagsId, args: [{ version: 1, customerId: customer.id, externalUserId, add: [tag.id], remove: [] }],
    });
    await save('customerTagsWorkflow', tagsId);

    // Bulk tagging of that customer (the job row freezes the customers; the workflow carries its id).
    const bulk = await call<{ id: number; workflowId: string }>(marketer, 'POST', '/api/bulk-tags', { customerIds: [customer.id], add: [tag.id] });
    expect(bulk.status).toBe(202);
    await save('bulkTagWorkflow', bulk.body.workflowId);
    expect((await call(marketer, 'POST', '/api/statistics/staff-behavior/sync')).status).toBe(202);
    await save('staffBehaviorSyncWorkflow', workflowIds.staffBehaviorSync());

    expect((await deliverAgain(product, other('del_follow_user'))).status).toBe(200);
    await save('customerLostWorkflow', await workflowOf('del_follow_user', externalUserId));

    const now = Math.floor(Date.now() / 1000);
    const corp = /<ToUserName><!\[CDATA\[(.*?)\]\]><\/ToUserName>/.exec(add)![1];
    const tagEvent = `<xml><ToUserName><![CDATA[${corp}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event><Id><![CDATA[${tag.wecomTagId}]]></Id><TagType><![CDATA[tag]]></TagType><ChangeType><![CDATA[update]]></ChangeType></xml>`;
    expect((await deliverAgain(product, tagEvent)).status).toBe(200);
    await save('syncCorpTagsWorkflow', await workflowOf('change_external_tag', null));
    const message = `<xml><ToUserName><![CDATA[${corp}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[录制]]></Content><MsgId>${now}000001</MsgId><AgentID>1000002</AgentID></xml>`;
    expect((await deliverAgain(product, message)).status).toBe(200);
    await save('storeStaffMessageWorkflow', await workflowOf('message', null));

    await product.temporal.client.workflow.start('customerSyncWorkflow', { taskQueue: product.taskQueue, workflowId: workflowIds.customerSync(), args: [{ version: 1, trigger: 'manual' }] });
    await save('customerSyncWorkflow', workflowIds.customerSync());
    // The same workflow as the channel-code page's import: channel codes only, WeCom's whole history.
    await product.temporal.client.workflow.start('customerSyncWorkflow', {
      taskQueue: product.taskQueue, workflowId: workflowIds.contactWayImport(), args: [{ version: 1, trigger: 'import', scope: 'contact_ways' }],
    });
    await save('customerSyncWorkflow.contact-way-import', workflowIds.contactWayImport());
    const probe = await product.temporal.runHealthProbe(30_000);
    expect(probe.result.databaseOk).toBe(true);
    await save('healthProbeWorkflow', workflowIds.healthProbe(product.taskQueue));

    // Campaigns: the simulator's customers in the product's tables, three of them consenting.
    await mirrorSimCustomers(db.orm, product.sim);
    const simIds = [...product.sim.state.customers.keys()].filter((id) => id !== externalUserId).slice(0, 3);
    expect((await call(marketer, 'POST', '/api/consents', { externalUserIds: simIds, marketing: 'granted', source: 'his_import' })).status).toBe(200);
    const campaign = await call<CampaignView>(marketer, 'POST', '/api/campaigns', { name: '录制', audience: {}, content: { text: '冬季补水护理，欢迎预约' } });
    expect(campaign.status).toBe(201);
    expect((await call(marketer, 'POST', `/api/campaigns/${campaign.body.id}/launch`)).status).toBe(202);
    let runId = 0;
    await vi.waitFor(async () => {
      const { body } = await call<CampaignView>(marketer, 'GET', `/api/campaigns/${campaign.body.id}`);
      expect(body.status).toBe('completed');
      runId = body.runId!;
    }, { timeout: 60_000, interval: 200 });
    // The campaign's send run carries the launch's workflow id (its launch key).
    const [run] = (await db.orm.em.getConnection().execute('select workflow_id from send_runs where id = ?', [runId])) as Array<{ workflow_id: string }>;
    await save('campaignRunWorkflow', run!.workflow_id);
    await save('sendRunWorkflow', workflowIds.sendRun(runId));

    // An appointment booked, then cancelled (its reminders' workflow ends).
    const booker = simIds[0]!;
    const staff = [...product.sim.state.followsByCustomer.get(booker)!.values()].find((f) => !f.deleted)!.userid;
    const booked = await call<{ id: number }>(marketer, 'POST', '/api/appointments', { externalUserId: booker, staffUserId: staff, project: '水光针', startsAt: new Date(Date.now() + 3 * DAY).toISOString() });
    expect(booked.status).toBe(201);
    expect((await call(marketer, 'POST', `/api/appointments/${booked.body.id}/cancel`)).status).toBe(200);
    await save('appointmentWorkflow', workflowIds.appointment(booked.body.id));
    // One whose 2-hour reminder falls due at once (staff notice, the customer's run with its
    // deadline), then cancelled: the reminding path's history.
    const soon = await call<{ id: number }>(marketer, 'POST', '/api/appointments', { externalUserId: booker, staffUserId: staff, project: '光子嫩肤', startsAt: new Date(Date.now() + 2 * 3_600_000 + 3_000).toISOString() });
    expect(soon.status).toBe(201);
    await vi.waitFor(async () => {
      const [reminded] = await em().getConnection().execute<Array<{ n: string }>>(`select count(*) as n from appointment_reminders where appointment_id = ? and audience = 'customer'`, [soon.body.id]);
      expect(Number(reminded!.n)).toBe(1);
    }, { timeout: 30_000, interval: 200 });
    expect((await call(marketer, 'POST', `/api/appointments/${soon.body.id}/cancel`)).status).toBe(200);
    await save('appointmentWorkflow.reminded', workflowIds.appointment(soon.body.id));

    // A day of birthday greetings: birthday 12-08, greeted 7 days before, so the day is 12-01.
    expect((await call(marketer, 'PUT', `/api/customers/by-external-id/${booker}/birthday`, { birthday: '1990-12-08' })).status).toBe(200);
    const day = await call<{ workflowId: string }>(marketer, 'POST', '/api/automations/birthdays/run', { date: `${new Date().getUTCFullYear()}-12-01` });
    expect(day.status).toBe(202);
    await save('birthdayDayWorkflow', day.body.workflowId);

    // The retention purge, with settings so that it deletes (started by its daily Schedule in production).
    expect((await call(admin, 'PUT', '/api/settings/retention', { callbackLogDays: 30, messageDays: 90 })).status).toBe(200);
    await product.temporal.client.workflow.start('retentionPurgeWorkflow', { taskQueue: product.taskQueue, workflowId: workflowIds.retentionPurge(), args: [] });
    await save('retentionPurgeWorkflow', workflowIds.retentionPurge());

    // A launch burst at one staff member: the notices past WeCom's pace wait for the member's digest.
    const burst = Array.from({ length: 24 }, (_, i) => product.sim.controls.scan({ config_id: configId, name: `录制${i}` }));
    await Promise.all(burst.map((each) => each.done));
    const digest = product.temporal.client.workflow.getHandle(workflowIds.noticeDigest('zhangsan'));
    await vi.waitFor(() => digest.describe(), { timeout: 60_000, interval: 200 });
    await save('staffNoticeDigestWorkflow', workflowIds.noticeDigest('zhangsan'));
  }, 300_000);
});
