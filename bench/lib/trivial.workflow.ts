import { patched, proxyLocalActivities } from '@temporalio/workflow';

const { step } = proxyLocalActivities<{ step(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

/** The yardstick: a workflow of two local activities that do nothing. */
export async function trivialWorkflow(): Promise<void> {
  await step();
  await step();
}

/**
 * SPEC §7's yardstick, "a trivial workflow of the same shape" as an onboarding: one patch marker
 * and six local activities (greet, record, tag, notify, journey lookup, mark processed), none of
 * which does anything. The bench starts it as the API starts an onboarding (search attributes,
 * summary, priority), so what it measures is Temporal's part of an onboarding alone.
 */
export async function onboardingShapedWorkflow(): Promise<void> {
  if (patched('onboarding-single-patch')) {
    for (let i = 0; i < 6; i += 1) await step();
  }
}
