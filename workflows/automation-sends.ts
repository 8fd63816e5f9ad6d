import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, sleep, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { childTaskQueue } from './child-queues.ts';
import { workflowIds } from '../common/workflow-ids.ts';
import { sendRunWorkflow } from './send-run.workflow.ts';

const database = proxyActivities<Activities>(activityPresets.database);

/** How often to look whether the send path has screened a run. */
const SCREEN_POLL = '2 seconds';

/**
 * Hands a send run to the campaigns send path: sendRunWorkflow as a child that outlives its parent
 * (it tracks staff confirmation for days; an appointment, a journey or a birthday day need not
 * wait for that), and waits until the send path has screened it (consent, caps), so that what
 * the caller records next (a staff notice, the next journey step) follows the gate's verdict.
 * The run's id is its workflow id, so a replayed or retried start is a no-op. `cancelAt`: see
 * SendRunInput.
 */
export async function startSendRun(runId: number, options: { cancelAt?: string } = {}): Promise<void> {
  try {
    await startChild(sendRunWorkflow, {
      workflowId: workflowIds.sendRun(runId),
      taskQueue: childTaskQueue('sendRunWorkflow'),
      args: [{ runId, ...options }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A run is sent by one workflow, ever: a replayed start after it finished must not send it again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  while (!(await database.sendRunScreened({ runId }))) await sleep(SCREEN_POLL);
}
