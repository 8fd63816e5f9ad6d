import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { workflowIds } from '../common/workflow-ids.ts';
import { sendRunWorkflow } from './send-run.workflow.ts';

/**
 * Hands a send run to the campaigns send path: sendRunWorkflow as a child that outlives its parent
 * (it tracks staff confirmation for days; an appointment or a birthday day need not wait). The
 * run's id is its workflow id, so a replayed or retried start is a no-op.
 */
export async function startSendRun(runId: number): Promise<void> {
  try {
    await startChild(sendRunWorkflow, {
      workflowId: workflowIds.sendRun(runId),
      args: [{ runId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A run is sent by one workflow, ever: a replayed start after it finished must not send it again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
