import { ActivityFailure, ApplicationFailure, log, patched, TimeoutFailure, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { OnboardingInput } from '../common/contact-events.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { handOverToAutomations } from './automations-hook.ts';

/**
 * The steps after the greeting yield to other customers' greetings in a backlog (Temporal priority
 * 4; the welcome inherits the workflow's, 1 for a fresh add event — api/temporal/event-router.ts):
 * in a launch-event burst every WelcomeCode is racing its 20 s, the detail, tag and notice are not.
 * Only onboardings before 'onboarding-local-wecom-steps' schedule these activity tasks; newer ones
 * run the steps as local activities, and the inbox's admission control keeps greetings first.
 */
const AFTER_WELCOME = { priority: { priorityKey: 4 } };

const welcome = proxyActivities<Activities>(activityPresets.welcome);
const wecom = proxyActivities<Activities>({ ...activityPresets.wecom, ...AFTER_WELCOME });
const database = proxyActivities<Activities>({ ...activityPresets.database, ...AFTER_WELCOME });
const localDatabase = proxyLocalActivities<Activities>(activityPresets.localDatabase);
const notify = proxyActivities<Activities>({ ...activityPresets.notification, ...AFTER_WELCOME });
const localWelcome = proxyLocalActivities<Activities>(activityPresets.localWelcome);
const localWecom = proxyLocalActivities<Activities>(activityPresets.localWecom);
const localNotify = proxyLocalActivities<Activities>(activityPresets.localNotification);

/**
 * The failure of one step, or undefined for anything else (a bug is not a step's outcome). An
 * activity task's failure arrives as an ActivityFailure around its cause; a local activity's as
 * the activity's own ApplicationFailure, or a TimeoutFailure when its deadline passed.
 */
function stepFailure(error: unknown): { message: string } | undefined {
  if (error instanceof ActivityFailure) return { message: error.cause?.message ?? error.message };
  if (error instanceof ApplicationFailure || error instanceof TimeoutFailure) return { message: error.message };
  return undefined;
}

/** Onboardings before 'onboarding-record-customer-step': the detail, the customer and the lead as three steps. */
async function recordInThreeSteps(weCom: typeof wecom, db: typeof database, input: OnboardingInput) {
  const { userId, externalUserId, state } = input;
  const detail = await weCom.fetchCustomerDetail({ externalUserId });
  const { customerId } = await db.saveCustomer({ detail, event: { userId, createTime: input.createTime, kind: 'add' } });
  const lead = await db.ensureLead({ customerId, state, name: detail.name });
  return { customerId, leadId: lead.leadId, leadCreated: lead.created, name: detail.name };
}

/** What onboarding did, shown as the workflow's result in the Temporal UI. */
export interface OnboardingResult {
  welcome: string;
  customerId: number;
  leadId: number;
  leadCreated: boolean;
  /** `渠道/<channel>`, or `failed` when WeCom refused the tag for good. */
  tag: string;
  staffNotified: string;
}

/**
 * A customer added a staff member (usually by scanning a channel code): greet them inside WeCom's
 * 20-second window, record them and their lead with the channel as source, tag them by channel
 * locally and in WeCom, tell the staff member, then hand over to automations. Started once per
 * add event (the workflow id is the event's dedupe key), so WeCom's retries do nothing.
 */
export async function onboardCustomerWorkflow(input: OnboardingInput): Promise<OnboardingResult> {
  const { userId, externalUserId, state, dedupeKey } = input;
  // Onboardings started before this change recorded their database steps as activity tasks and
  // replay them so; new ones run them as local activities.
  const db = patched('onboarding-local-db-steps') ? localDatabase : database;
  // Since 'onboarding-local-wecom-steps' the WeCom steps and the journey lookup are local too: a new
  // customer with no journey is one workflow task instead of about six plus five activity tasks,
  // which is most of what an onboarding cost the Temporal server (bench/README.md, callback-burst).
  // Older onboardings replay with their activity tasks.
  const localSteps = patched('onboarding-local-wecom-steps');
  const greet = localSteps ? localWelcome : welcome;
  const weCom = localSteps ? localWecom : wecom;
  const notice = localSteps ? localNotify : notify;

  // First, because the WelcomeCode dies 20 s after the event; a failed greeting must not stop the rest.
  let welcomeOutcome: string;
  try {
    welcomeOutcome = await greet.sendWelcomeMessage({ sendKey: `welcome:${dedupeKey}`, welcomeCode: input.welcomeCode, userId, externalUserId, state });
  } catch (error) {
    const failure = stepFailure(error);
    if (!failure) throw error;
    welcomeOutcome = 'failed';
    log.warn('welcome message not sent', { externalUserId, reason: failure.message });
  }

  // Since 'onboarding-record-customer-step' the detail, the customer and the lead are one local
  // activity (two fewer round trips through the worker per onboarding, and the detail stays out of
  // the history); older onboardings replay their three steps.
  const { customerId, leadId, leadCreated, name } = localSteps && patched('onboarding-record-customer-step')
    ? await weCom.recordCustomer({ externalUserId, state, event: { userId, createTime: input.createTime, kind: 'add' } })
    : await recordInThreeSteps(weCom, db, input);
  // A tagging failure is this step's outcome: the staff member still hears of the new customer.
  let tag: string;
  try {
    tag = (await weCom.tagByChannel({ customerId, leadId, userId, externalUserId, state })).tag;
  } catch (error) {
    const failure = stepFailure(error);
    if (!failure) throw error;
    tag = 'failed';
    log.warn('channel tag not applied', { externalUserId, reason: failure.message });
  }

  let staffNotified: string;
  try {
    const channel = tag === 'failed' ? state ?? '' : tag.split('/').slice(1).join('/');
    staffNotified = await notice.notifyStaff({
      sendKey: `notify:${dedupeKey}`, userId, externalUserId, text: `新客户 ${name || externalUserId} 来自${channel}`, addedAt: input.createTime,
    });
  } catch (error) {
    const failure = stepFailure(error);
    if (!failure) throw error;
    staffNotified = 'failed';
    log.warn('staff notification not sent', { userId, reason: failure.message });
  }

  await handOverToAutomations({ customerId, externalUserId, userId, state }, { localLookup: localSteps });
  await db.markCallbackProcessed({ workflowId: workflowInfo().workflowId });
  return { welcome: welcomeOutcome, customerId, leadId, leadCreated, tag, staffNotified };
}
