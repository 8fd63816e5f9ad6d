import { proxyLocalActivities } from '@temporalio/workflow';

const { step } = proxyLocalActivities<{ step(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

/** The ceiling's yardstick: a workflow of two local activities that do nothing. */
export async function trivialWorkflow(): Promise<void> {
  await step();
  await step();
}
