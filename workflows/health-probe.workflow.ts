import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const { probeWorker } = proxyActivities<Activities>(activityPresets.probe);

/** Result of one end-to-end probe: a workflow task and an activity task both ran on a worker. */
export interface HealthProbeResult {
  workerIdentity: string;
  databaseOk: boolean;
  databaseError?: string;
  workflowId: string;
}

/**
 * Proves the whole path API → Temporal → worker → database works: the API starts it and waits for
 * the answer. Shows in the Temporal UI as an ordinary short workflow.
 */
export async function healthProbeWorkflow(): Promise<HealthProbeResult> {
  const report = await probeWorker();
  return {
    workerIdentity: report.identity,
    databaseOk: report.databaseOk,
    ...(report.databaseError ? { databaseError: report.databaseError } : {}),
    workflowId: workflowInfo().workflowId,
  };
}
