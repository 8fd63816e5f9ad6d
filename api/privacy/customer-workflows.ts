import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** One workflow run of a customer, as the export lists it. */
export interface CustomerRun {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  startTime: string;
  closeTime: string | null;
}

/** The visibility query for one customer's runs (the CustomerExternalId search attribute). */
export function customerRunsQuery(externalUserid: string): string {
  return `CustomerExternalId = "${externalUserid.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Every run Temporal lists for the customer, running or closed. */
export async function listCustomerRuns(client: Client, externalUserid: string): Promise<CustomerRun[]> {
  const runs: CustomerRun[] = [];
  for await (const run of client.workflow.list({ query: customerRunsQuery(externalUserid), pageSize: 200 })) {
    runs.push({
      workflowId: run.workflowId, runId: run.runId, type: run.type, status: run.status.name,
      startTime: run.startTime.toISOString(), closeTime: run.closeTime?.toISOString() ?? null,
    });
  }
  return runs;
}

/**
 * Removes the customer's runs and their histories from Temporal (inputs, results and failures
 * carry their data): running ones are terminated first, then each execution is deleted.
 */
export async function deleteCustomerRuns(client: Client, namespace: string, runs: readonly CustomerRun[]): Promise<number> {
  for (const run of runs) {
    if (run.status === 'RUNNING') {
      await client.workflow.getHandle(run.workflowId, run.runId).terminate('customer data erased (PIPL request)').catch((error: unknown) => {
        // Finished meanwhile: deleting it below is all that is left to do.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
    }
    await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId: run.workflowId, runId: run.runId } });
  }
  return runs.length;
}
