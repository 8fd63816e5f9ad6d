import { taskQueuesNamed } from '../../common/task-queues.ts';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { WeworkContactWay, WeworkCustomer } from '../../db/entities/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { payloadCodec } from '../../encryption/data-converter.ts';
import { addLogSink } from '../../logging/logger.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { signalGroup, spawnEntryPoint, waitForOutput, type SpawnedProcess } from '../setup/processes.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * WeCom's connection drops in the middle of gettoken and of a customer call, the way a flaky
 * network does. ky's errors then hold the request URL with corpsecret / access_token. Afterwards
 * nothing that leaves the product's processes — Temporal's histories read without the codec, the
 * worker's and the API's logs — holds the Secret, an access token or the customer's name; and the
 * customer is still onboarded.
 */

const { History } = proto.temporal.api.history.v1;
const CUSTOMER_NAME = '保密测试客户';

let db: TestDatabase;
let product: TestProduct;
let worker: SpawnedProcess | null = null;
const apiLog: string[] = [];
let stopCapturing: () => void = () => {};

/** Every history of the product's task queues (realtime and bulk), fetched over plain gRPC: no data converter, no codec. */
async function rawHistories(taskQueue: string): Promise<Array<{ workflowId: string; type: string; history: proto.temporal.api.history.v1.IHistory }>> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    const { executions } = await connection.workflowService.listWorkflowExecutions({ namespace: product.temporal.namespace, query: `TaskQueue IN (${Object.values(taskQueuesNamed(taskQueue)).map((queue) => `"${queue}"`).join(', ')})` });
    const histories = [];
    for (const execution of executions ?? []) {
      const events: proto.temporal.api.history.v1.IHistoryEvent[] = [];
      let nextPageToken: Uint8Array | undefined;
      do {
        const page = await connection.workflowService.getWorkflowExecutionHistory({ namespace: product.temporal.namespace, execution: execution.execution!, nextPageToken });
        events.push(...(page.history?.events ?? []));
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      histories.push({ workflowId: execution.execution!.workflowId!, type: execution.type!.name!, history: { events } });
    }
    return histories;
  } finally {
    await connection.close();
  }
}

/** Every Payload object inside a history (inputs, results, failure attributes, headers…). */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const candidate = value as { metadata?: unknown; data?: unknown };
  if (candidate.data instanceof Uint8Array && candidate.metadata && typeof candidate.metadata === 'object') found.push(candidate as Payload);
  for (const item of Object.values(value)) payloadsIn(item, found);
  return found;
}

beforeAll(async () => {
  db = await createTestDatabase();
  stopCapturing = addLogSink((_level, line) => apiLog.push(line));
  product = await startTestProduct(db, { worker: false });
  // The worker runs as its own process, like in production; its stdout and stderr are its log.
  worker = spawnEntryPoint('worker.ts', {
    DATABASE_URL: db.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: product.taskQueue, TEMPORAL_NAMESPACE: product.temporal.namespace,
    APP_SECRET_KEY: product.secretKey.toString('hex'), WECOM_API_BASE: product.sim.url, LOG_LEVEL: 'debug',
  });
  await waitForOutput(worker, /worker polling /, 60_000);
});
afterAll(async () => {
  stopCapturing();
  if (worker) {
    signalGroup(worker, 'SIGKILL');
    await worker.exited;
  }
  await product?.stop();
  await db?.drop();
});

describe('WeCom\'s connection dropped during gettoken and during a customer call', () => {
  it('onboards the customer, and no history (read without the codec) nor log holds the Secret, a token or the name', async () => {
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    const { config_id: configId } = await api.contactWay.add({ type: 1, scene: 2, state: 'secret_test', user: ['zhangsan'], remark: '保密渠道' });
    const em = db.orm.em.fork();
    em.create(WeworkContactWay, { configId, type: 1, scene: 2, state: 'secret_test', remark: '保密渠道', userIds: ['zhangsan'], welcomeTemplate: { text: '{name}您好' } });
    await em.flush();

    // The stored token stops working, so the worker must call gettoken — whose connection drops once.
    // customer/get drops three times: the welcome's name lookup (twice, it tolerates that) and the detail fetch.
    product.sim.controls.revokeTokens();
    product.sim.controls.forceDrop(1, 'gettoken');
    product.sim.controls.forceDrop(3, 'externalcontact/get');
    // Onboarding's steps are local activities: a retried transient failure leaves no trace in the
    // history, a step that fails for good leaves its failure in the step's marker. 48002 (no API
    // permission) fails the WeCom tag for good; onboarding records it and goes on.
    product.sim.controls.forceError(48002, 1, 'externalcontact/mark_tag');
    const scan = product.sim.controls.scan({ config_id: configId, name: CUSTOMER_NAME });
    const externalUserId = scan.customer.external_userid;
    expect((await scan.done).outcome).toBe('delivered');

    await vi.waitFor(async () => {
      const customer = await db.orm.em.fork().findOne(WeworkCustomer, { externalUserid: externalUserId }, { populate: ['lead', 'tags'] });
      expect(customer?.name).toBe(CUSTOMER_NAME);
      expect(customer?.lead).toBeTruthy();
      expect(product.sim.controls.messages('app').some((m) => JSON.stringify(m.body).includes(CUSTOMER_NAME))).toBe(true);
    }, { timeout: 45_000, interval: 250 });
    expect(product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId))).toHaveLength(1);
    // The faults really happened: every forced drop was taken.
    expect(product.sim.controls.callCount('gettoken')).toBeGreaterThanOrEqual(2);
    expect(product.sim.controls.callCount('externalcontact/get')).toBeGreaterThanOrEqual(4);
    expect(product.sim.controls.stats().errors['externalcontact/mark_tag']).toEqual({ 48002: 1 });

    const tokens = ((await (await fetch(`${product.sim.url}/sim/tokens`)).json()) as { tokens: Array<{ token: string }> }).tokens.map((t) => t.token);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const secrets = { 'the Secret': DEMO_OPTIONS.corpSecret, ...Object.fromEntries(tokens.map((token, i) => [`access token ${i + 1}`, token])) };
    const forbidden = { ...secrets, 'the customer\'s name': CUSTOMER_NAME };

    // The onboarding runs its steps as local activities in one workflow task: its history is written
    // when that task completes, which may be after the effects above are visible.
    let histories: Awaited<ReturnType<typeof rawHistories>> = [];
    await vi.waitFor(async () => {
      histories = await rawHistories(product.taskQueue);
      const done = histories.find((h) => h.type === 'onboardCustomerWorkflow')?.history.events?.some((e) => e.workflowExecutionCompletedEventAttributes);
      expect(done).toBe(true);
    }, { timeout: 30_000, interval: 250 });
    for (const { workflowId, history } of histories) {
      const bytes = Buffer.from(History.encode(history).finish());
      for (const [what, value] of Object.entries(forbidden)) {
        expect(bytes.includes(Buffer.from(value)), `${what} in the history of ${workflowId}`).toBe(false);
      }
    }
    // The failures of the dropped calls are in the history, encrypted: an activity task's as
    // ActivityTaskStarted.lastFailure, a local activity's in its marker.
    const onboarding = histories.find((h) => h.type === 'onboardCustomerWorkflow')!;
    const failures = (onboarding.history.events ?? []).flatMap((e) => [e.activityTaskStartedEventAttributes?.lastFailure, e.markerRecordedEventAttributes?.failure].filter((f) => f != null));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const failure of failures) {
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace ?? '').toBe('');
      expect(failure.cause ?? null).toBeNull();
    }

    // An admin decoding the history (what the Temporal UI shows through the codec endpoint) sees the
    // data and the failure category, and still no Secret or token: redaction does not lean on encryption.
    const codec = payloadCodec({ current: product.secretKey });
    const decoded = (await codec.decode(histories.flatMap((h) => payloadsIn(h.history)))).map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
    expect(decoded).toContain(externalUserId);
    expect(decoded).toMatch(/The app may not call this API/);
    for (const [what, value] of Object.entries(secrets)) expect(decoded.includes(value), `${what} in a decoded payload`).toBe(false);

    // The logs: the worker's process output (LOG_LEVEL=debug) and every line the API process logged.
    const logs = `${worker!.output()}\n${apiLog.join('\n')}`;
    expect(worker!.output()).toMatch(/transport failure/);
    for (const [what, value] of Object.entries(forbidden)) expect(logs.includes(value), `${what} in the logs`).toBe(false);
    expect(logs).not.toMatch(/corpsecret=(?!\[redacted\])/);
    expect(logs).not.toMatch(/access_token=(?!\[redacted\])/);
  });
});
