import { createAppointmentActivities } from './appointments.activities.ts';
import { createBirthdayActivities } from './birthdays.activities.ts';
import { createJourneyActivities } from './journeys.activities.ts';
import { createContactEventActivities } from './contact-events.activities.ts';
import { createContactOnboardingActivities } from './contact-onboarding.activities.ts';
import { createCustomerTagsActivities } from './customer-tags.activities.ts';
import { createBulkTagActivities } from './bulk-tags.activities.ts';
import { createStaffBehaviorActivities } from './staff-behavior.activities.ts';
import type { ActivityDeps } from './deps.ts';
import { createHealthActivities } from './health.activities.ts';
import { createRetentionActivities } from './retention.activities.ts';
import { createSyncActivities } from './sync.activities.ts';
import { createSendRunActivities } from './send-run.activities.ts';
import { createCampaignActivities } from './campaign.activities.ts';
import { createStaffNoticeActivities } from './staff-notice.ts';

export type { ActivityDeps } from './deps.ts';

/** Every activity the worker registers, built from its dependencies (samples-typescript's factory). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
    ...createContactOnboardingActivities(deps),
    ...createContactEventActivities(deps),
    ...createStaffNoticeActivities(deps),
    ...createSyncActivities(deps),
    ...createCustomerTagsActivities(deps),
    ...createBulkTagActivities(deps),
    ...createStaffBehaviorActivities(deps),
    ...createRetentionActivities(deps),
    // Automations.
    ...createAppointmentActivities(deps),
    ...createBirthdayActivities(deps),
    ...createJourneyActivities(deps),
    ...createSendRunActivities(deps),
    ...createCampaignActivities(deps),
  };
}

/** The activity interface workflows proxy (imported by workflows as a type only). */
export type Activities = ReturnType<typeof createActivities>;
