import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { CampaignView } from '../../common/campaigns.schema.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { liveTaskCoverage, mirrorSimCustomers } from '../setup/campaigns.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { signalGroup, spawnEntryPoint, waitForOutput, type SpawnedProcess } from '../setup/processes.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * The worker process is SIGKILLed while add_msg_template is in flight: WeCom (the simulator) still
 * creates the task, nobody stores its msgid. A new worker must find that task, not create another.
 */

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
const ADD = 'externalcontact/add_msg_template';
const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);

async function spawnWorker(): Promise<SpawnedProcess> {
  const proc = spawnEntryPoint('worker.ts', {
    DATABASE_URL: db.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: product.taskQueue, TEMPORAL_NAMESPACE: product.temporal.namespace,
    APP_SECRET_KEY: product.secretKey.toString('hex'), WECOM_API_BASE: product.sim.url, LOG_LEVEL: 'warn',
  });
  await waitForOutput(proc, /worker polling /, 60_000);
  return proc;
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, { worker: false, app: { sendTiming: { trackEveryMs: 300, remindAfterMs: 60_000, windowMs: 30_000 } } });
  product.sim.controls.reset({ customers: 200 });
  product.sim.controls.setOptions({ groupMsgConfirmDelayMs: 200 });
  await mirrorSimCustomers(db.orm, product.sim);
  await createUser(db.orm, { username: 'mkt', password: 'marketer-pass-1', role: 'marketer' });
  marketer = await signIn(request, 'mkt', 'marketer-pass-1');
  const ids = [...product.sim.state.customers.keys()];
  const consent = await request('/api/consents', {
    method: 'POST', headers: { ...marketer.headers(), 'content-type': 'application/json' },
    body: JSON.stringify({ externalUserIds: ids, marketing: 'granted', source: 'his_import' }),
  });
  expect(consent.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

it('a worker killed mid-submission: each sender\'s live tasks cover the audience exactly once, results add up', async () => {
  let worker = await spawnWorker();
  product.sim.controls.setLatency(2_500, ADD);
  const headers = { ...marketer.headers(), 'content-type': 'application/json' };
  const created = await (await request('/api/campaigns', { method: 'POST', headers, body: JSON.stringify({ name: '杀进程', audience: {}, content: { text: '元旦焕肤季' } }) })).json() as CampaignView;
  expect((await request(`/api/campaigns/${created.id}/launch`, { method: 'POST', headers })).status).toBe(202);

  await expect.poll(() => product.sim.controls.callCount(ADD), { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(1);
  signalGroup(worker, 'SIGKILL');
  await worker.exited;
  // The call the dead worker made still lands: WeCom created a task nobody recorded.
  await expect.poll(() => product.sim.state.groupMsgs.size, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  product.sim.controls.setLatency(0, ADD);

  worker = await spawnWorker();
  try {
    let view: CampaignView;
    const deadline = Date.now() + 120_000;
    for (;;) {
      view = await (await request(`/api/campaigns/${created.id}`, { headers: marketer.headers() })).json() as CampaignView;
      if (['completed', 'failed'].includes(view.status) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(view.status).toBe('completed');
    const senders = view.staff.length;
    expect(product.sim.controls.callCount(ADD)).toBe(senders);
    let covered = 0;
    for (const [sender, ids] of liveTaskCoverage(product.sim, new Set())) {
      for (const [id, n] of ids) expect(n, `${sender} → ${id}`).toBe(1);
      covered += ids.size;
    }
    expect(covered).toBe(view.counts.audience);
    expect(view.counts.submitted).toBe(view.counts.audience);
    expect(view.counts.delivered + view.counts.failed + view.counts.skipped).toBe(view.counts.audience);
  } finally {
    signalGroup(worker, 'SIGKILL');
    await worker.exited;
  }
}, 180_000);
