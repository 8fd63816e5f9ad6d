import { ActivityFailure, ApplicationFailure, log, patched, TimeoutFailure, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { OnboardingInput } from '../common/contact-events.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { handOverToAutomations, startChannelJourney, type AutomationSubject } from './automations-hook.ts';

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

/** Onboardings before 'onboarding-single-patch': the detail, the customer and the lead as three steps. */
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

/** How one onboarding runs its steps: today's local activities, or an older onboarding's as it ran. */
interface Steps {
  greet: typeof welcome;
  weCom: typeof wecom;
  notice: typeof notify;
  db: typeof database;
  record(): Promise<{ customerId: number; leadId: number; leadCreated: boolean; name: string }>;
  handOver(subject: AutomationSubject): Promise<void>;
}

/**
 * A customer added a staff member (usually by scanning a channel code): greet them inside WeCom's
 * 20-second window, record them and their lead with the channel as source, tag them by channel
 * locally and in WeCom, tell the staff member, then hand over to automations. Started once per
 * add event (the workflow id is the event's dedupe key), so WeCom's retries do nothing.
 *
 * Since 'onboarding-single-patch' an onboarding is one patch marker and local activities only: the
 * detail, the customer and the lead are one step (recordCustomer, so the detail stays out of the
 * history), and the four patches of the older shapes (each also a TemporalChangeVersion upsert the
 * server indexes) are not asked for. Onboardings started before replay as they ran.
 */
export async function onboardCustomerWorkflow(input: OnboardingInput): Promise<OnboardingResult> {
  if (patched('onboarding-single-patch')) {
    return onboard(input, {
      greet: localWelcome, weCom: localWecom, notice: localNotify, db: localDatabase,
      record: () => localWecom.recordCustomer({ externalUserId: input.externalUserId, state: input.state, event: { userId: input.userId, createTime: input.createTime, kind: 'add' } }),
      handOver: (subject) => startChannelJourney(subject, localDatabase),
    });
  }
  // Onboardings started before 'onboarding-local-db-steps' recorded their database steps as
  // activity tasks, and before 'onboarding-local-wecom-steps' their WeCom steps and journey lookup.
  const db = patched('onboarding-local-db-steps') ? localDatabase : database;
  const localSteps = patched('onboarding-local-wecom-steps');
  const weCom = localSteps ? localWecom : wecom;
  return onboard(input, {
    greet: localSteps ? localWelcome : welcome, weCom, notice: localSteps ? localNotify : notify, db,
    record: () => recordInThreeSteps(weCom, db, input),
    handOver: (subject) => handOverToAutomations(subject, { localLookup: localSteps }),
  });
}

/** The onboarding's steps, in their order. */
async function onboard(input: OnboardingInput, steps: Steps): Promise<OnboardingResult> {
  const { userId, externalUserId, state, dedupeKey } = input;
  // First, because the WelcomeCode dies 20 s after the event; a failed greeting must not stop the rest.
  let welcomeOutcome: string;
  try {
    welcomeOutcome = await steps.greet.sendWelcomeMessage({ sendKey: `welcome:${dedupeKey}`, welcomeCode: input.welcomeCode, userId, externalUserId, state });
  } catch (error) {
    const failure = stepFailure(error);
    if (!failure) throw error;
    welcomeOutcome = 'failed';
    log.warn('welcome message not sent', { externalUserId, reason: failure.message });
  }

  const { customerId, leadId, leadCreated, name } = await steps.record();
  // A tagging failure is this step's outcome: the staff member still hears of the new customer.
  let tag: string;
  try {
    tag = (await steps.weCom.tagByChannel({ customerId, leadId, userId, externalUserId, state })).tag;
  } catch (error) {
    const failure = stepFailure(error);
    if (!failure) throw error;
    tag = 'failed';
    log.warn('channel tag not applied', { externalUserId, reason: failure.message });
  }

  let staffNotified: string;
  try {
    const channel = tag === 'failed' ? state ?? '' : tag.split('/').slice(1).join('/');
    staffNotified = await steps.notice.notifyStaff({
      sendKey: `notify:${dedupeKey}`, userId, externalUserId, text: `新客户 ${name || externalUserId} 来自${channel}`, addedAt: input.createTime,
    });
  } catch (error) {
    const failure = stepFailure(error);
    if (!failure) throw error;
    staffNotified = 'failed';
    log.warn('staff notification not sent', { userId, reason: failure.message });
  }

  await steps.handOver({ customerId, externalUserId, userId, state });
  await steps.db.markCallbackProcessed({ workflowId: workflowInfo().workflowId });
  return { welcome: welcomeOutcome, customerId, leadId, leadCreated, tag, staffNotified };
}
