import { workflowInfo } from '@temporalio/workflow';
import { taskQueueFor, taskQueuesAround } from '../common/task-queues.ts';

/**
 * The task queue a child workflow of `workflowType` starts on, found from the parent's own queue
 * (a workflow has no configuration): a journey started by onboarding goes to the bulk queue,
 * whichever queue the parent runs on.
 */
export function childTaskQueue(workflowType: string): string {
  return taskQueueFor(workflowType, taskQueuesAround(workflowInfo().taskQueue));
}
