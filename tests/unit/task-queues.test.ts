import { describe, expect, it } from 'vitest';
import * as workflows from '../../workflows/index.ts';
import { MAIN_TASK_QUEUE, taskQueueFor, taskQueuesAround, taskQueuesNamed, WORKFLOW_WORKLOADS, workloadOf } from '../../common/task-queues.ts';

describe('task queue routing', () => {
  it('runs callback events, the welcome, staff notice digests and dashboard waits on the realtime queue, everything else on the bulk queue', () => {
    const realtime = Object.keys(workflows).filter((type) => workloadOf(type) === 'realtime').sort();
    expect(realtime).toEqual([
      'customerLostWorkflow', 'customerTagsWorkflow', 'healthProbeWorkflow', 'onboardCustomerWorkflow', 'recordTransferFailureWorkflow',
      'refreshCustomerWorkflow', 'staffNoticeDigestWorkflow', 'storeStaffMessageWorkflow', 'syncCorpTagsWorkflow',
    ]);
    for (const batch of ['customerSyncWorkflow', 'campaignRunWorkflow', 'sendRunWorkflow', 'birthdayDayWorkflow', 'journeyWorkflow', 'retentionPurgeWorkflow']) {
      expect(workloadOf(batch)).toBe('bulk');
    }
  });

  it('sends a workflow type nobody listed to the bulk queue', () => {
    expect(workloadOf('someNewBatchWorkflow')).toBe('bulk');
  });

  it('lists only workflows the worker has', () => {
    expect(Object.keys(WORKFLOW_WORKLOADS).filter((type) => !(type in workflows))).toEqual([]);
  });

  it('keeps the single queue\'s old name for the realtime queue, so workflows running on it are still polled', () => {
    expect(taskQueuesNamed(MAIN_TASK_QUEUE)).toEqual({ realtime: 'clinic-main', bulk: 'clinic-main-bulk' });
    expect(taskQueueFor('onboardCustomerWorkflow', taskQueuesNamed(MAIN_TASK_QUEUE))).toBe('clinic-main');
  });

  it('lets a workflow find both queues from the one it runs on', () => {
    expect(taskQueuesAround('clinic-main')).toEqual(taskQueuesAround('clinic-main-bulk'));
    expect(taskQueueFor('journeyWorkflow', taskQueuesAround('product-1a2b3c'))).toBe('product-1a2b3c-bulk');
    expect(taskQueueFor('sendRunWorkflow', taskQueuesAround('product-1a2b3c-bulk'))).toBe('product-1a2b3c-bulk');
  });
});
