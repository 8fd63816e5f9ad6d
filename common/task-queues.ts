/**
 * Which task queue each workflow runs on: one table, read by every start (API, schedules, child
 * workflows). Two workloads with their own worker limits, so a campaign or a sync can never hold
 * up a welcome message (WeCom's WelcomeCode lives 20 s):
 *
 * - realtime: one callback event, or one person waiting on the dashboard; short, latency-bound.
 * - bulk: batch work (sync, campaigns and their send runs, birthdays, journeys, reminders,
 *   retention); throughput-bound and capped by WeCom's quotas.
 *
 * The realtime queue keeps the name the single queue had (`clinic-main`), so workflows running
 * on it when the split shipped are still polled; the bulk queue is the realtime name plus
 * `-bulk`, which lets a workflow find its sibling queue from its own without configuration.
 */

/** Default name of the realtime queue (TEMPORAL_TASK_QUEUE): the single queue's old name, so nothing running is stranded. */
export const MAIN_TASK_QUEUE = 'clinic-main';

/** Appended to the realtime queue's name to name the bulk queue. */
export const BULK_QUEUE_SUFFIX = '-bulk';

/** The two workloads a worker can poll. */
export type Workload = 'realtime' | 'bulk';

/** Both workloads, in the order a worker starts them. */
export const WORKLOADS: readonly Workload[] = ['realtime', 'bulk'];

/** The product's two task queue names. */
export interface TaskQueues {
  realtime: string;
  bulk: string;
}

/**
 * The workload of each workflow type. A type not listed runs on the bulk queue: new batch work
 * needs no entry, and a new latency-bound workflow is one line here.
 */
export const WORKFLOW_WORKLOADS: Readonly<Record<string, Workload>> = {
  // One callback event each (api/temporal/event-router.ts); onboarding sends the welcome.
  onboardCustomerWorkflow: 'realtime',
  customerLostWorkflow: 'realtime',
  refreshCustomerWorkflow: 'realtime',
  recordTransferFailureWorkflow: 'realtime',
  syncCorpTagsWorkflow: 'realtime',
  storeStaffMessageWorkflow: 'realtime',
  // The new-customer notices a burst held back: staff hear of them within seconds.
  staffNoticeDigestWorkflow: 'realtime',
  // Someone is waiting on the dashboard.
  customerTagsWorkflow: 'realtime',
  healthProbeWorkflow: 'realtime',
  // Batch work.
  customerSyncWorkflow: 'bulk',
  retentionPurgeWorkflow: 'bulk',
  campaignRunWorkflow: 'bulk',
  sendRunWorkflow: 'bulk',
  birthdayDayWorkflow: 'bulk',
  journeyWorkflow: 'bulk',
  appointmentWorkflow: 'bulk',
  bulkTagWorkflow: 'bulk',
  staffBehaviorSyncWorkflow: 'bulk',
};

/** The workload a workflow type belongs to (bulk when unlisted). */
export function workloadOf(workflowType: string): Workload {
  return WORKFLOW_WORKLOADS[workflowType] ?? 'bulk';
}

/** Both queue names from the realtime queue's name (TEMPORAL_TASK_QUEUE). */
export function taskQueuesNamed(realtime: string): TaskQueues {
  return { realtime, bulk: `${realtime}${BULK_QUEUE_SUFFIX}` };
}

/** Both queue names seen from either of them: what a running workflow knows (its own queue). */
export function taskQueuesAround(current: string): TaskQueues {
  return taskQueuesNamed(current.endsWith(BULK_QUEUE_SUFFIX) ? current.slice(0, -BULK_QUEUE_SUFFIX.length) : current);
}

/** The task queue a workflow of `workflowType` is started on. */
export function taskQueueFor(workflowType: string, queues: TaskQueues): string {
  return queues[workloadOf(workflowType)];
}
