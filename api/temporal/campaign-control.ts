import { randomUUID } from 'node:crypto';
import { isGrpcServiceError, ScheduleNotFoundError, ScheduleOverlapPolicy, ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { SEND_RUN_HANDLERS, type CampaignRunInput, type Schedule, type SendRunInput } from '../../common/campaigns.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import type { campaignRunWorkflow } from '../../workflows/campaign-run.workflow.ts';
import type { sendRunWorkflow } from '../../workflows/send-run.workflow.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors.ts';
import { campaignKey } from './search-attribute-keys.ts';

/** Timings of the send path a deployment (or a test) may shorten; production uses the workflow's defaults. */
export type SendTiming = Omit<SendRunInput, 'runId' | 'paused' | 'cancelled'>;

/** Starts one fire of a campaign now; returns the launch workflow's id. */
export async function startCampaignRun(client: Client, taskQueue: string, campaignId: number, timing: SendTiming = {}): Promise<string> {
  const workflowId = workflowIds.campaignLaunch(campaignId, randomUUID());
  const input: CampaignRunInput = { campaignId, ...(Object.keys(timing).length ? { send: timing } : {}) };
  await client.workflow.start<typeof campaignRunWorkflow>('campaignRunWorkflow', {
    taskQueue, workflowId, args: [input], typedSearchAttributes: [{ key: campaignKey, value: String(campaignId) }],
  });
  return workflowId;
}

/**
 * Starts the send path for a run that already has its recipients (e.g. a message to one customer);
 * a run whose workflow was already started (a retried request) counts as started.
 */
export async function startSendRun(client: Client, taskQueue: string, runId: number, timing: SendTiming = {}): Promise<string> {
  const workflowId = workflowIds.sendRun(runId);
  try {
    await client.workflow.start<typeof sendRunWorkflow>('sendRunWorkflow', { taskQueue, workflowId, args: [{ runId, ...timing }] });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return workflowId;
}

/** The Schedule's note in the Temporal UI: who paused or resumed it. */
const pauseNote = (paused: boolean, by: string) => `${paused ? 'paused' : 'resumed'} from the dashboard/API by ${by}`;

/**
 * Creates (or replaces) the campaign's one Temporal Schedule: `{ at }` fires once, `{ cron,
 * timezone }` recurs in that zone (default the clinic's). Each fire runs campaignRunWorkflow.
 * `pausedBy`: a recurring campaign edited while paused gets its new Schedule paused from the start.
 */
export async function putCampaignSchedule(
  client: Client, taskQueue: string, campaignId: number, schedule: Schedule, timing: SendTiming = {},
  options: { clinicTimeZone?: string; pausedBy?: string } = {},
): Promise<void> {
  await deleteCampaignSchedule(client, campaignId);
  try {
    await createCampaignSchedule(client, taskQueue, campaignId, schedule, timing, options);
  } catch (error) {
    // The schema admits only what Temporal takes; should Temporal still refuse it, that is the caller's input.
    if (isRefusedArgument(error)) throw new AppError(400, 'invalid_request', `schedule: Temporal refused it (${(error as Error).message})`, { field: 'schedule' });
    throw error;
  }
}

/**
 * Temporal's INVALID_ARGUMENT (gRPC 3), on the error or its cause. The client turns "Invalid
 * schedule spec" (a cron or zone the server cannot read) into a TypeError with the server's reason.
 */
function isRefusedArgument(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const cause = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(cause) && cause.code === 3;
}

/** The Schedule itself, once any earlier one is gone. */
async function createCampaignSchedule(
  client: Client, taskQueue: string, campaignId: number, schedule: Schedule, timing: SendTiming, options: { clinicTimeZone?: string; pausedBy?: string },
): Promise<void> {
  const input: CampaignRunInput = { campaignId, ...(Object.keys(timing).length ? { send: timing } : {}) };
  const action = {
    type: 'startWorkflow' as const, workflowType: 'campaignRunWorkflow', args: [input], taskQueue,
    workflowId: `campaign:${campaignId}:fire`, typedSearchAttributes: [{ key: campaignKey, value: String(campaignId) }],
  };
  if ('at' in schedule) {
    // A calendar names whole seconds: the next one, so that an `at` with milliseconds is not in the past.
    const at = new Date(Math.ceil(Date.parse(schedule.at) / 1000) * 1000);
    await client.schedule.create({
      scheduleId: workflowIds.campaignSchedule(campaignId),
      spec: { calendars: [{ year: at.getUTCFullYear(), month: MONTHS[at.getUTCMonth()]!, dayOfMonth: at.getUTCDate(), hour: at.getUTCHours(), minute: at.getUTCMinutes(), second: at.getUTCSeconds() }], timezone: 'UTC' },
      action,
      state: { remainingActions: 1 },
    });
  } else {
    await client.schedule.create({
      scheduleId: workflowIds.campaignSchedule(campaignId),
      spec: { cronExpressions: [schedule.cron], timezone: schedule.timezone ?? options.clinicTimeZone ?? 'Asia/Shanghai' },
      action,
      // A fire's run tracks staff confirmation for up to three days: with the default overlap (SKIP)
      // a daily campaign lost its next fires whenever one staff member had not confirmed yet.
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      ...(options.pausedBy ? { state: { paused: true, note: pauseNote(true, options.pausedBy) } } : {}),
    });
  }
}

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

/**
 * Brings the Schedules of recurring campaigns up to date: those on the clinic's clock (a cron
 * without its own `timezone`) move to `timeZone`, the clinic's zone now, and every one gets the
 * overlap policy new Schedules get (ALLOW_ALL; Schedules made before it kept SKIP and lost fires).
 * Answers how many Schedules were updated. A campaign whose Schedule is gone (fired its last
 * time, deleted) is skipped.
 */
export async function followCampaignSchedules(client: Client, em: EntityManager, timeZone: string): Promise<number> {
  const rows = await em.getConnection().execute<Array<{ id: number; clinic_clock: boolean }>>(
    `select id, schedule->>'timezone' is null as clinic_clock from campaigns where schedule->>'cron' is not null and status in ('scheduled', 'running', 'paused')`);
  let updated = 0;
  for (const { id, clinic_clock: clinicClock } of rows) {
    try {
      await client.schedule.getHandle(workflowIds.campaignSchedule(id)).update((previous) => ({
        ...previous,
        spec: clinicClock ? { ...previous.spec, timezone: timeZone } : previous.spec,
        policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      }));
      updated += 1;
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return updated;
}

/** Deletes the campaign's Schedule if it has one. */
export async function deleteCampaignSchedule(client: Client, campaignId: number): Promise<void> {
  try {
    await client.schedule.getHandle(workflowIds.campaignSchedule(campaignId)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/**
 * Pauses or unpauses a recurring campaign's Schedule, so a paused campaign is not fired again
 * until it is resumed (a Schedule that is gone has nothing to pause). The note, shown in the
 * Temporal UI, says who did it.
 */
export async function setCampaignSchedulePaused(client: Client, campaignId: number, paused: boolean, by: string): Promise<void> {
  const handle = client.schedule.getHandle(workflowIds.campaignSchedule(campaignId));
  try {
    if (paused) await handle.pause(pauseNote(true, by));
    else await handle.unpause(pauseNote(false, by));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** Sends pause/resume/cancel to a run's workflow; a refusal by its validator becomes 409. */
export async function controlSendRun(client: Client, runId: number, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
  // The launch workflow starts the run's workflow just after it records the run: a control that
  // arrives in between waits for it (a few seconds at most) instead of being told the send ended.
  const handle = client.workflow.getHandle(workflowIds.sendRun(runId));
  const deadline = Date.now() + RUN_START_WAIT_MS;
  for (;;) {
    try {
      await handle.executeUpdate<void, []>(SEND_RUN_HANDLERS[action]);
      return;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError) || Date.now() > deadline) throw asConflict(error);
      // Not found is also what an ended run answers: only a run that does not exist yet is waited for.
      const started = await handle.describe().then(() => true, (cause: unknown) => (cause instanceof WorkflowNotFoundError ? false : Promise.reject(cause)));
      if (started) throw asConflict(error);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** How long a pause, resume or cancel waits for a just-recorded run's workflow to start. */
const RUN_START_WAIT_MS = 5_000;

/** 提醒员工: reminds unconfirmed senders of a run (one, or all); answers how many tasks were reminded. */
export async function remindSendRun(client: Client, runId: number, sender?: string): Promise<number> {
  try {
    return await client.workflow.getHandle(workflowIds.sendRun(runId)).executeUpdate<number, [{ sender?: string }]>(SEND_RUN_HANDLERS.remind, { args: [sender ? { sender } : {}] });
  } catch (error) {
    throw asConflict(error);
  }
}

function asConflict(error: unknown): unknown {
  if (error instanceof WorkflowUpdateFailedError) {
    return new AppError(409, 'invalid_state', (error.cause as Error | undefined)?.message ?? 'The send cannot do that now.');
  }
  if (error instanceof WorkflowNotFoundError) return new AppError(409, 'invalid_state', 'The send has ended.');
  return error;
}
