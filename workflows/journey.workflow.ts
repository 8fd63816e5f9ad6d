import { condition, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { addDays, localDate, zonedInstant } from '../common/clinic-time.ts';
import type { JourneyExitReason } from '../common/journeys.schema.ts';
import { durationMs } from '../common/workflow-handler-names.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { startSendRun } from './automation-sends.ts';
import { exitJourneySignal, journeyPositionQuery } from './automations.definitions.ts';

const database = proxyActivities<Activities>(activityPresets.database);
const wecom = proxyActivities<Activities>(activityPresets.wecom);
const position = proxyLocalActivities<Activities>(activityPresets.journeyPosition);

/** Input (v1) of one customer's journey: the version they start with is theirs to the end. */
export interface JourneyInput {
  journeyId: number;
  version: number;
  customerId: number;
  externalUserId: string;
  /** The staff member the customer added (sender of the journey's messages). */
  userId: string;
}

/** How a journey ended. */
export interface JourneyResult { version: number; status: 'completed' | 'exited'; exitReason: JourneyExitReason | null; stepsRun: number }

/** The next instant the clinic-local clock shows `time` (HH:MM), strictly after `now`. */
function nextLocalTime(now: number, time: string, timeZone: string): number {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const today = localDate(now, timeZone);
  const at = zonedInstant(today, hour, minute, timeZone);
  return at > now ? at : zonedInstant(addDays(today, 1), hour, minute, timeZone);
}

/**
 * One customer in one channel journey, started by onboarding (workflow id journey:<externalUserId>:<userId>).
 * Runs the steps of the version it started with — wait, wait until a local time, send (through
 * the send path), tag, branch (skip ahead when a condition fails), exit — and leaves early when
 * the customer books, the relationship is lost or they opt out: an `exit` signal ends any wait at
 * once, and the database is checked before each step for one that never arrived. Each move is
 * recorded in journey_enrollments for the dashboard's counts per step.
 */
export async function journeyWorkflow(input: JourneyInput): Promise<JourneyResult> {
  const { workflowId } = workflowInfo();
  let exitReason: JourneyExitReason | null = null;
  let stepIndex = 0;
  let status: JourneyResult['status'] | 'active' = 'active';
  setHandler(exitJourneySignal, ({ reason }) => {
    exitReason ??= reason;
  });
  setHandler(journeyPositionQuery, () => ({ version: input.version, stepIndex, status, exitReason }));

  const record = (waitingUntil: number | null = null) => position.recordJourneyPosition({
    workflowId, journeyId: input.journeyId, version: input.version, customerId: input.customerId, staffUserId: input.userId,
    stepIndex, status, exitReason, waitingUntil,
  });
  /** Waits until `at` unless an exit arrives first. */
  const waitUntil = async (at: number) => {
    await record(at);
    await condition(() => exitReason !== null, Math.max(1, at - Date.now()));
  };

  const { steps, timeZone } = await database.loadJourneyVersion({ journeyId: input.journeyId, version: input.version });
  await record();
  let stepsRun = 0;
  while (stepIndex < steps.length && exitReason === null) {
    const found = await database.journeyExitCheck({ workflowId, customerId: input.customerId, externalUserId: input.externalUserId, staffUserId: input.userId });
    exitReason ??= found;
    if (exitReason !== null) break;
    const step = steps[stepIndex]!;
    await record();
    let next = stepIndex + 1;
    if (step.kind === 'wait') await waitUntil(Date.now() + durationMs(step.duration));
    else if (step.kind === 'waitUntil') await waitUntil(nextLocalTime(Date.now(), step.time, timeZone));
    else if (step.kind === 'send') {
      const runId = await database.createJourneySend({
        launchKey: `${workflowId}:${workflowInfo().runId}:${stepIndex}`, text: step.text,
        customerId: input.customerId, externalUserId: input.externalUserId, staffUserId: input.userId,
      });
      await startSendRun(runId);
    } else if (step.kind === 'tag') {
      await wecom.tagFromJourney({ customerId: input.customerId, externalUserId: input.externalUserId, staffUserId: input.userId, tag: step.tag });
    } else if (step.kind === 'branch') {
      const holds = await database.journeyCondition({ condition: step.condition, customerId: input.customerId, at: Date.now() });
      if (!holds) next += step.elseSkip;
    } else {
      next = steps.length;
    }
    if (exitReason !== null) break;
    stepsRun++;
    stepIndex = next;
  }
  status = exitReason === null ? 'completed' : 'exited';
  await record();
  return { version: input.version, status, exitReason, stepsRun };
}
