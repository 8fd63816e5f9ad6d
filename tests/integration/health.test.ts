import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { healthReportSchema, probeResultSchema } from '../../common/health.schema.ts';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { createApp } from '../../api/app.ts';
import { createTemporalGateway, type TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../../api/wework/callback-credentials.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestWorker, TEST_WORKER_SECRET_KEY, type RunningTestWorker } from '../setup/temporal.ts';

let db: TestDatabase;
let worker: RunningTestWorker;
/** An admin's session: the probe and unknown routes are behind sign-in. */
let admin: Session;
const gateways: TemporalGateway[] = [];

/** The real app, wired like api/server.ts but against this file's database and task queue. */
function appFor(options: { taskQueue: string; temporalAddress?: string }) {
  const temporal = createTemporalGateway({
    address: options.temporalAddress ?? inject('temporalAddress'), namespace: 'default', taskQueue: options.taskQueue, probeTimeoutMs: 2_000,
    payloadKeys: { current: TEST_WORKER_SECRET_KEY },
  });
  gateways.push(temporal);
  const em = () => db.orm.em.fork();
  const box = new SecretBox(randomBytes(32));
  const apiBase = 'http://127.0.0.1:9';
  return createApp({
    em, temporal, temporalUiUrl: inject('temporalUiUrl'), version: 'test', dashboardDist: '/nonexistent', secureCookies: false,
    callbackCrypto: createCallbackCryptoSource({ em, box }),
    box, wecomApiBase: apiBase, wecom: () => createWeComAccess({ orm: db.orm, box, apiBase }),
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  worker = await startTestWorker(db.orm, db.url);
  await createUser(db.orm, { username: 'ops', password: 'health-check-pass', role: 'admin' });
  const app = appFor({ taskQueue: worker.taskQueue });
  admin = await signIn((path, init) => app.request(path, init), 'ops', 'health-check-pass');
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await worker?.stop();
  await db?.drop();
});

describe('GET /api/health (public) and /api/health/details (signed in)', () => {
  it('tells a stranger only up or down, with no details and nothing cached', async () => {
    const app = appFor({ taskQueue: worker.taskQueue });
    const up = await app.request('/api/health');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'up' });
    const down = await appFor({ taskQueue: `nobody-${randomBytes(3).toString('hex')}` }).request('/api/health');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'down' });
    expect((await app.request('/api/health/details')).status).toBe(401);
  });

  it('reports every part up, with the worker polling, when everything runs', async () => {
    const response = await appFor({ taskQueue: worker.taskQueue }).request('/api/health/details', { headers: admin.headers() });
    const report = healthReportSchema.parse(await response.json());
    expect(response.status).toBe(200);
    expect(report.ok).toBe(true);
    expect(report.components.database).toMatchObject({ ok: true, status: 'up' });
    expect(report.components.temporal).toMatchObject({ ok: true, status: 'up' });
    expect(report.components.worker.pollers).toBeGreaterThanOrEqual(1);
    expect(report.temporalUiUrl).toBe(inject('temporalUiUrl'));
    expect(report.temporalWorkflowsUrl).toBe(`${inject('temporalUiUrl')}/namespaces/default/workflows`);
  });

  it('shows WeCom as not configured until credentials are saved, then names the CorpID', async () => {
    const app = appFor({ taskQueue: worker.taskQueue });
    const before = healthReportSchema.parse(await (await app.request('/api/health/details', { headers: admin.headers() })).json());
    expect(before.components.wecom).toMatchObject({ configured: false, status: 'not-configured' });

    await saveWeworkCredentials(db.orm.em.fork(), new SecretBox(randomBytes(32)), {
      corpId: 'ww_health', corpSecret: 's3cret-value', agentId: '1000002', token: 'tok', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    });
    const response = await app.request('/api/health/details', { headers: admin.headers() });
    const text = await response.text();
    expect(healthReportSchema.parse(JSON.parse(text)).components.wecom).toMatchObject({ configured: true, corpId: 'ww_health' });
    expect(text).not.toContain('s3cret-value');
  });

  it('answers 503 and says how to start a worker when nobody polls the task queue', async () => {
    const response = await appFor({ taskQueue: `nobody-${randomBytes(3).toString('hex')}` }).request('/api/health/details', { headers: admin.headers() });
    const report = healthReportSchema.parse(await response.json());
    expect(response.status).toBe(503);
    expect(report.components.worker).toMatchObject({ ok: false, status: 'no-pollers', pollers: 0 });
    expect(report.components.worker.detail).toMatch(/npm run start:worker/);
    expect(report.components.database.ok).toBe(true);
  });

  it('answers 503 naming TEMPORAL_ADDRESS when Temporal cannot be reached', async () => {
    const deadAddress = `127.0.0.1:${await freePort()}`;
    const response = await appFor({ taskQueue: worker.taskQueue, temporalAddress: deadAddress }).request('/api/health/details', { headers: admin.headers() });
    const report = healthReportSchema.parse(await response.json());
    expect(response.status).toBe(503);
    expect(report.components.temporal).toMatchObject({ ok: false, status: 'down' });
    expect(report.components.temporal.detail).toMatch(/TEMPORAL_ADDRESS/);
    expect(report.components.database.ok).toBe(true);
  });
});

describe('POST /api/health/probe', () => {
  it('runs the probe workflow on the worker, which reaches the database, and leaves it in Temporal history', async () => {
    const response = await appFor({ taskQueue: worker.taskQueue }).request('/api/health/probe', { method: 'POST', headers: admin.headers() });
    const probe = probeResultSchema.parse(await response.json());
    expect(response.status).toBe(200);
    expect(probe).toMatchObject({ ok: true, databaseOk: true, workflowId: `health-probe:${worker.taskQueue}` });
    expect(probe.workerIdentity).toContain(`:${process.pid}`);

    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const described = await connection.workflowService.describeWorkflowExecution({
        namespace: 'default', execution: { workflowId: probe.workflowId, runId: probe.runId! },
      });
      expect(described.workflowExecutionInfo?.type?.name).toBe('healthProbeWorkflow');
      expect(described.workflowExecutionInfo?.taskQueue).toBe(worker.taskQueue);
    } finally {
      await connection.close();
    }
  });

  it('fails with an explanation, not a hang, when no worker can answer', async () => {
    const queue = `nobody-${randomBytes(3).toString('hex')}`;
    const gateway = createTemporalGateway({ address: inject('temporalAddress'), namespace: 'default', taskQueue: queue, payloadKeys: { current: TEST_WORKER_SECRET_KEY } });
    gateways.push(gateway);
    const started = Date.now();
    await expect(gateway.runHealthProbe(1_500)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);

    const response = await appFor({ taskQueue: queue }).request('/api/health/probe', { method: 'POST', headers: admin.headers() });
    const probe = probeResultSchema.parse(await response.json());
    expect(response.status).toBe(503);
    expect(probe.ok).toBe(false);
    expect(probe.error).toMatch(/did not complete/);
  });
});

describe('unknown API routes', () => {
  it('answer 404 in the one JSON error shape', async () => {
    const response = await appFor({ taskQueue: worker.taskQueue }).request('/api/nope', { headers: admin.headers() });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No API route GET /api/nope' } });
  });
});
