import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import proto from '@temporalio/proto';
import { MAIN_TASK_QUEUE } from '../../common/task-queues.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import type { healthProbeWorkflow } from '../../workflows/health-probe.workflow.ts';

// @temporalio/proto is CommonJS: its namespaces come through the default export under ESM.
const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** The API's door to Temporal: a lazily connecting client that survives Temporal restarts. */
export interface TemporalGateway {
  readonly client: Client;
  readonly namespace: string;
  readonly taskQueue: string;
  /** Round-trips to the frontend; throws when Temporal is unreachable. */
  ping(timeoutMs?: number): Promise<void>;
  /** How many workers poll the product's task queue for workflow and activity tasks. */
  countPollers(timeoutMs?: number): Promise<{ workflow: number; activity: number }>;
  /** Runs the health-probe workflow and waits for its answer. */
  runHealthProbe(timeoutMs?: number): Promise<{ runId: string; result: Awaited<ReturnType<typeof healthProbeWorkflow>> }>;
  close(): Promise<void>;
}

/** Creates the gateway without connecting: the API starts even while Temporal is still down. */
export function createTemporalGateway(options: { address: string; namespace: string; taskQueue?: string; probeTimeoutMs?: number }): TemporalGateway {
  const connection = Connection.lazy({ address: options.address, connectTimeout: 2_000 });
  const client = new Client({ connection, namespace: options.namespace });
  const taskQueue = options.taskQueue ?? MAIN_TASK_QUEUE;
  const deadline = (ms: number) => Date.now() + ms;

  const pollersOf = async (type: proto.temporal.api.enums.v1.TaskQueueType) => {
    const response = await connection.workflowService.describeTaskQueue({
      namespace: options.namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: type,
    });
    return response.pollers?.length ?? 0;
  };

  return {
    client,
    namespace: options.namespace,
    taskQueue,
    async ping(timeoutMs = 2_000) {
      await connection.withDeadline(deadline(timeoutMs), () => connection.workflowService.getSystemInfo({}));
    },
    async countPollers(timeoutMs = 2_000) {
      return connection.withDeadline(deadline(timeoutMs), async () => ({
        workflow: await pollersOf(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        activity: await pollersOf(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
      }));
    },
    async runHealthProbe(timeoutMs = options.probeTimeoutMs ?? 10_000) {
      return connection.withDeadline(deadline(timeoutMs), async () => {
        const handle = await client.workflow.start<typeof healthProbeWorkflow>('healthProbeWorkflow', {
          taskQueue,
          workflowId: workflowIds.healthProbe(taskQueue),
          // Concurrent probes join the running one instead of piling up.
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowExecutionTimeout: '30 seconds',
        });
        const result = await handle.result();
        return { runId: handle.firstExecutionRunId, result };
      });
    },
    close: () => connection.close(),
  };
}
