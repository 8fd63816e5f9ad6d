import {
  Client, Connection, defaultGrpcRetryOptions, isGrpcServiceError, makeGrpcRetryInterceptor, ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy,
} from '@temporalio/client';
import proto from '@temporalio/proto';
import { MAIN_TASK_QUEUE, taskQueueFor, taskQueuesNamed, type TaskQueues, type Workload } from '../../common/task-queues.ts';
import { encryptedDataConverter, payloadCodec, type PayloadKeys } from '../../encryption/data-converter.ts';
import type { AesGcmPayloadCodec } from '../../encryption/payload-codec.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import type { healthProbeWorkflow } from '../../workflows/health-probe.workflow.ts';
import type { TemporalConnectionSecurity } from './connection-security.ts';
import { eventPriority, type EventWorkflowStart } from './event-router.ts';

// @temporalio/proto is CommonJS: its namespaces come through the default export under ESM.
const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** The API's door to Temporal: a lazily connecting client that survives Temporal restarts. */
export interface TemporalGateway {
  readonly client: Client;
  readonly namespace: string;
  /** The realtime and bulk queue names (common/task-queues.ts). */
  readonly taskQueues: TaskQueues;
  /** The queue a workflow of this type starts on: every start of the API goes through it. */
  taskQueueFor(workflowType: string): string;
  /** The codec behind the client's data converter, also served to the Temporal UI (api/routes/temporal-codec.ts). */
  readonly payloadCodec: AesGcmPayloadCodec;
  /** Round-trips to the frontend; throws when Temporal is unreachable. */
  ping(timeoutMs?: number): Promise<void>;
  /** How many workers poll each of the product's task queues for workflow and activity tasks. */
  countPollers(timeoutMs?: number): Promise<Record<Workload, { workflow: number; activity: number }>>;
  /** Runs the health-probe workflow and waits for its answer. */
  runHealthProbe(timeoutMs?: number): Promise<{ runId: string; result: Awaited<ReturnType<typeof healthProbeWorkflow>> }>;
  /**
   * Starts the workflow for a callback event. `duplicate` when a workflow with that id exists or
   * existed (WeCom's retry of an event already taken); throws when Temporal cannot be reached.
   */
  startEventWorkflow(start: EventWorkflowStart, timeoutMs?: number): Promise<'started' | 'duplicate'>;
  close(): Promise<void>;
}

/** Attempts of one call to Temporal before the API answers 503 temporal_unavailable. */
const REQUEST_ATTEMPTS = 6;

/** Temporal's answer to a start naming a search attribute the namespace does not have. */
function isSearchAttributeRefusal(error: unknown): boolean {
  const cause = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(cause) && cause.code === 3 && /search attribute/i.test(cause.details ?? cause.message);
}

/**
 * Creates the gateway without connecting: the API starts even while Temporal is still down.
 * `payloadKeys` are required: every client of the product encrypts what it sends to Temporal.
 */
export function createTemporalGateway(options: { address: string; namespace: string; payloadKeys: PayloadKeys; /** The realtime queue's name (TEMPORAL_TASK_QUEUE). */ taskQueue?: string; probeTimeoutMs?: number; security?: TemporalConnectionSecurity }): TemporalGateway {
  const connection = Connection.lazy({
    address: options.address,
    ...options.security,
    connectTimeout: 2_000,
    // gRPC's default reconnect backoff grows to two minutes: after a Temporal outage the API would
    // keep refusing callbacks long after Temporal is back. Retry the connection every few seconds.
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 3_000 },
    // The SDK retries an unavailable Temporal ten times over about 20 s; a marketer's click on
    // launch or pause waited that long for its 503. Six attempts ride out a blip in about 3 s.
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: REQUEST_ATTEMPTS }))],
  });
  const codec = payloadCodec(options.payloadKeys);
  const client = new Client({ connection, namespace: options.namespace, dataConverter: encryptedDataConverter(codec) });
  const taskQueues = taskQueuesNamed(options.taskQueue ?? MAIN_TASK_QUEUE);
  const queueFor = (workflowType: string) => taskQueueFor(workflowType, taskQueues);
  const probeQueue = queueFor('healthProbeWorkflow');
  const deadline = (ms: number) => Date.now() + ms;
  /** Event-workflow starts answered as timed out whose gRPC retries are still running. */
  const pending = new Set<Promise<unknown>>();

  const pollersOf = async (taskQueue: string, type: proto.temporal.api.enums.v1.TaskQueueType) => {
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
    taskQueues,
    taskQueueFor: queueFor,
    payloadCodec: codec,
    async ping(timeoutMs = 2_000) {
      await connection.withDeadline(deadline(timeoutMs), () => connection.workflowService.getSystemInfo({}));
    },
    async countPollers(timeoutMs = 2_000) {
      const of = async (taskQueue: string) => ({
        workflow: await pollersOf(taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        activity: await pollersOf(taskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
      });
      return connection.withDeadline(deadline(timeoutMs), async () => {
        const [realtime, bulk] = await Promise.all([of(taskQueues.realtime), of(taskQueues.bulk)]);
        return { realtime, bulk };
      });
    },
    async runHealthProbe(timeoutMs = options.probeTimeoutMs ?? 10_000) {
      return connection.withDeadline(deadline(timeoutMs), async () => {
        const handle = await client.workflow.start<typeof healthProbeWorkflow>('healthProbeWorkflow', {
          taskQueue: probeQueue,
          workflowId: workflowIds.healthProbe(probeQueue),
          // Concurrent probes join the running one instead of piling up.
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowExecutionTimeout: '30 seconds',
        });
        const result = await handle.result();
        return { runId: handle.firstExecutionRunId, result };
      });
    },
    async startEventWorkflow(start, timeoutMs = 3_000) {
      let timer: NodeJS.Timeout | undefined;
      const priorityKey = eventPriority(start, Date.now());
      try {
        // Bounded well inside WeCom's 5 s: past it WeCom retries anyway, so answer 503 first.
        const startWith = (searchAttributes: EventWorkflowStart['searchAttributes']) => connection.withDeadline(deadline(timeoutMs), () =>
          client.workflow.start(start.workflowType, {
            taskQueue: queueFor(start.workflowType),
            workflowId: start.workflowId,
            args: [start.input],
            // A run with this id that completed (or is running) means the event was handled: never
            // twice. A failed run may be run again once its cause is fixed (an operator's retry).
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            typedSearchAttributes: searchAttributes,
            staticSummary: start.summary,
            ...(priorityKey === undefined ? {} : { priority: { priorityKey } }),
          }));
        // Search attributes only help operators find runs: a namespace without them (not yet
        // registered, or registration denied) must not stop the event, so start without them.
        const started = startWith(start.searchAttributes).catch((error: unknown) => {
          if (start.searchAttributes.length > 0 && isSearchAttributeRefusal(error)) return startWith([]);
          throw error;
        });
        // The deadline alone does not bound the wait: while Temporal is down the SDK's gRPC retry
        // sleeps its backoff past the deadline before failing (measured: up to 5.4 s for a 3 s
        // deadline), and WeCom would see a timeout instead of a 503. A late start that succeeds
        // after all is harmless: WeCom's retry then finds the workflow and is a duplicate.
        // Closing the connection while its retry is pending would crash the process: close() waits.
        pending.add(started);
        started.then(() => pending.delete(started), () => pending.delete(started));
        await Promise.race([
          started,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return 'started';
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await Promise.allSettled([...pending]);
      await connection.close();
    },
  };
}
