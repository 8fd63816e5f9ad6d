import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { taskQueuesNamed } from '../../common/task-queues.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { WeworkCallbackLog } from '../../db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, scanAndOnboard } from '../setup/onboarding.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * Issue 8: a campaign or a sync flooding the bulk queue must not hold up a scan's welcome. The
 * worker runs one bulk activity at a time; a sync whose first WeCom call never returns holds that
 * slot, and a backlog of batch runs waits behind it. A scan made meanwhile is greeted, by an
 * onboarding that ran on the realtime queue — shown by Temporal's own record of the queues, not by timing.
 */
let db: TestDatabase;
let product: TestProduct;
let configId: string;
const HELD_API = 'externalcontact/get_follow_user_list';
const BACKLOG_DATES = Array.from({ length: 12 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, { workerLimits: { bulkActivityConcurrency: 1 } });
  configId = await createChannelCode(db, product, 'xiaohongshu');
});
afterAll(async () => {
  product?.sim.controls.clearFaults();
  await product?.stop();
  await db?.drop();
});

const describeRun = (workflowId: string) => product.temporal.client.workflow.getHandle(workflowId).describe();

describe('a bulk queue flooded by a sync and batch runs', () => {
  it('does not hold up a scan\'s welcome: onboarding and its welcome run on the realtime queue', async () => {
    const queues = taskQueuesNamed(product.taskQueue);
    // The sync's first WeCom call (the staff list) never returns while the test looks: it holds the bulk queue's only activity slot.
    product.sim.controls.holdCallsUntil(HELD_API, 1_000, 120_000);
    const sync = await product.temporal.client.workflow.start('customerSyncWorkflow', {
      taskQueue: product.temporal.taskQueueFor('customerSyncWorkflow'), workflowId: workflowIds.customerSync(), args: [{ version: 1, trigger: 'manual' }],
    });
    await vi.waitFor(() => expect(product.sim.controls.callCount(HELD_API)).toBe(1), { timeout: 20_000, interval: 100 });
    // A backlog of batch work behind it.
    for (const date of BACKLOG_DATES) {
      await product.temporal.client.workflow.start('birthdayDayWorkflow', { taskQueue: product.temporal.taskQueueFor('birthdayDayWorkflow'), workflowId: `flood-${date}`, args: [{ date }] });
    }

    const { externalUserId } = await scanAndOnboard(db, product, configId, '王五');

    expect(product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId))).toHaveLength(1);
    // The flood is still there: the sync still waits on WeCom and batch runs are still queued.
    expect(product.sim.controls.callCount(HELD_API)).toBe(1);
    expect((await sync.describe()).status.name).toBe('RUNNING');
    const backlog = await Promise.all(BACKLOG_DATES.map((date) => describeRun(`flood-${date}`)));
    expect(backlog.filter((run) => run.status.name === 'RUNNING').length).toBeGreaterThan(0);

    const accepted = await db.orm.em.fork().findOneOrFail(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact', outcome: 'accepted' });
    const onboarding = await describeRun(accepted.workflowId!);
    expect(onboarding.taskQueue).toBe(queues.realtime);
    expect(onboarding.status.name).toBe('COMPLETED');
    const history = await product.temporal.client.workflow.getHandle(onboarding.workflowId).fetchHistory();
    // The welcome and the other WeCom steps ran as local activities of that realtime onboarding: no activity task on any queue.
    expect(history.events?.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity')).not.toHaveLength(0);
    expect(history.events?.filter((event) => event.activityTaskScheduledEventAttributes)).toEqual([]);
    // A fresh add event starts with the highest priority.
    expect(onboarding.raw.workflowExecutionInfo?.priority?.priorityKey).toBe(1);
    expect((await sync.describe()).taskQueue).toBe(queues.bulk);
    expect(backlog.map((run) => run.taskQueue)).toEqual(BACKLOG_DATES.map(() => queues.bulk));
  });

  it('drains the bulk backlog once WeCom answers again', async () => {
    product.sim.controls.clearFaults();
    await vi.waitFor(async () => {
      const runs = await Promise.all(BACKLOG_DATES.map((date) => describeRun(`flood-${date}`)));
      expect(runs.map((run) => run.status.name)).toEqual(BACKLOG_DATES.map(() => 'COMPLETED'));
    }, { timeout: 60_000, interval: 250 });
  });
});

