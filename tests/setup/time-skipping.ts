import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import { lazyWeComApi } from '../../activities/wecom-access.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { startSimulator, type RunningSimulator } from '../../sim/simulator.ts';
import { ensureTemporalTestServer } from '../../scripts/lib/temporal-test-server.ts';
import { WORKFLOWS_PATH } from '../../worker.ts';
import { taskQueuesNamed } from '../../common/task-queues.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
export { advanceClock, resultOnceClosed } from './advance-clock.ts';


/** A time-skipping Temporal, a real worker (product workflows and activities), its database and the WeCom simulator. */
export interface TimeSkippingHarness {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  sim: RunningSimulator;
  taskQueue: string;
  /** The WeCom client the worker's activities use (the simulator's demo corp), for calling an activity directly. */
  wecom: ActivityDeps['wecom'];
  /** 群发 tasks the simulator holds for a customer, waiting (in real time) for the send path's children to submit. */
  groupMessagesTo(externalUserId: string, expected: number): Promise<number>;
  /** Records a simulator customer (and their first follow) in the product's database; returns its id. */
  importSimCustomer(externalUserId: string, fields?: { birthday?: string | null }): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the harness. Time moves only when every workflow waits on a timer (or the test sleeps),
 * so a year of timers runs in seconds while activities do real I/O against PostgreSQL and the sim.
 */
export async function startTimeSkippingHarness(options: { workflowsPath?: string; extraDeps?: Partial<ActivityDeps> } = {}): Promise<TimeSkippingHarness> {
  const db = await createTestDatabase();
  const secretKey = randomBytes(32);
  const box = new SecretBox(secretKey);
  // Simulated staff confirm each 群发 task at once, so the send path's tracking ends after a poll or two.
  const sim = await startSimulator({ port: 0, groupMsgConfirmDelayMs: 20 });
  await saveWeworkCredentials(db.orm.em.fork(), box, {
    corpId: DEMO_OPTIONS.corpId, corpSecret: DEMO_OPTIONS.corpSecret, agentId: DEMO_OPTIONS.agentId, token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
  });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: await ensureTemporalTestServer() } } });
  const taskQueue = `ts-${randomBytes(3).toString('hex')}`;
  const wecom = lazyWeComApi({ orm: db.orm, box, apiBase: sim.url });
  const activities = createActivities({ orm: db.orm, wecom, ...options.extraDeps });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH, logger: Runtime.instance().logger });
  // Both queues of common/task-queues.ts: workflows start their children on the queue of the child's workload.
  const workers = await Promise.all(Object.values(taskQueuesNamed(taskQueue)).map((queue) => Worker.create({
    connection: env.nativeConnection,
    taskQueue: queue,
    workflowBundle,
    activities,
  })));
  const running = Promise.all(workers.map((worker) => worker.run()));
  return {
    env, db, sim, taskQueue, wecom,
    async importSimCustomer(externalUserId, fields = {}) {
      const response = await fetch(`${sim.url}/sim/customers/${externalUserId}`);
      const { customer, follows } = (await response.json()) as { customer: { name: string }; follows: Array<{ userid: string; createtime: number }> };
      const em = db.orm.em.fork();
      const row = em.create(WeworkCustomer, { externalUserid: externalUserId, name: customer.name, birthday: fields.birthday ?? null });
      const first = follows[0]!;
      em.create(WeworkCustomerFollow, { customer: row, staffUserid: first.userid, followedAt: new Date(first.createtime * 1000) });
      await em.flush();
      return row.id;
    },
    async groupMessagesTo(externalUserId, expected) {
      const count = async () => {
        const { group_msgs } = (await (await fetch(`${sim.url}/sim/groupmsgs`)).json()) as { group_msgs: Array<{ tasks: Array<{ external_userids: string[] }> }> };
        return group_msgs.filter((g) => g.tasks.some((t) => t.external_userids.includes(externalUserId))).length;
      };
      for (let waited = 0; waited < 5_000 && (await count()) < expected; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      return count();
    },
    async stop() {
      workers.forEach((worker) => worker.shutdown());
      await running;
      await env.teardown();
      await sim.close();
      await db.drop();
    },
  };
}

/** The first `count` demo customers of the simulator with the staff member who follows each. */
export async function simCustomers(sim: RunningSimulator, count: number): Promise<Array<{ externalUserId: string; userId: string }>> {
  const { customers } = (await (await fetch(`${sim.url}/sim/customers?limit=${count}`)).json()) as { customers: Array<{ external_userid: string }> };
  return Promise.all(customers.map(async (c) => {
    const { follows } = (await (await fetch(`${sim.url}/sim/customers/${c.external_userid}`)).json()) as { follows: Array<{ userid: string }> };
    return { externalUserId: c.external_userid, userId: follows[0]!.userid };
  }));
}
