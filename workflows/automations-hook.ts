import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { getExternalWorkflowHandle, ParentClosePolicy, patched, proxyActivities, proxyLocalActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { workflowIds } from '../common/workflow-ids.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { childTaskQueue } from './child-queues.ts';
import { exitJourneySignal } from './automations.definitions.ts';
import { journeyWorkflow } from './journey.workflow.ts';

const database = proxyActivities<Activities>(activityPresets.database);
const localDatabase = proxyLocalActivities<Activities>(activityPresets.localDatabase);

/**
 * Where customer-contact workflows hand over to automations. Onboarding starts the channel's
 * journey (birthdays and appointments need no per-customer workflow: a daily Schedule and the
 * booking API start theirs); a lost relationship ends it. Both sit behind patched('journeys-v1'),
 * so onboardings and losses already running when this shipped replay as they ran.
 */

/** A customer that automations may act on. */
export interface AutomationSubject {
  customerId: number;
  externalUserId: string;
  userId: string;
  state: string | undefined;
}

/**
 * Called when onboarding has finished: starts the channel's active journey (its current version)
 * as a child that outlives onboarding. The id is per customer and staff member, so a replayed or
 * repeated add event does not start a second one. With `localLookup` the journey is looked up by a
 * local activity: a customer whose channel has no journey costs no task of its own.
 */
export async function handOverToAutomations(subject: AutomationSubject, options: { localLookup?: boolean } = {}): Promise<void> {
  if (!patched('journeys-v1')) return;
  await startChannelJourney(subject, options.localLookup ? localDatabase : database);
}

/**
 * Starts the channel's active journey for the customer, looked up through `lookup` (a local
 * activity: a customer whose channel has no journey costs no task of its own). Workflows newer than
 * 'journeys-v1' call it without asking for that patch.
 */
export async function startChannelJourney(subject: AutomationSubject, lookup: Pick<typeof database, 'findJourneyForChannel'>): Promise<void> {
  const journey = await lookup.findJourneyForChannel({ state: subject.state });
  if (!journey) return;
  try {
    await startChild(journeyWorkflow, {
      workflowId: workflowIds.journey(subject.externalUserId, subject.userId),
      taskQueue: childTaskQueue('journeyWorkflow'),
      args: [{ journeyId: journey.journeyId, version: journey.version, customerId: subject.customerId, externalUserId: subject.externalUserId, userId: subject.userId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // The operator's "this customer's workflows" query finds the journey too.
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** Called when a relationship is lost: the customer's journey with that staff member ends at once. */
export async function stopAutomationsFor(subject: Omit<AutomationSubject, 'customerId' | 'state'>): Promise<void> {
  if (!patched('journeys-v1')) return;
  try {
    await getExternalWorkflowHandle(workflowIds.journey(subject.externalUserId, subject.userId)).signal(exitJourneySignal, { reason: 'lost' });
  } catch {
    // No journey is running for this customer and staff member: nothing to stop.
  }
}
