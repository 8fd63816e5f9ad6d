/** Every workflow the worker runs; the worker bundles this file (and only what it imports). */
export { healthProbeWorkflow } from './health-probe.workflow.ts';
export { onboardCustomerWorkflow } from './onboarding.workflow.ts';
export { customerLostWorkflow } from './customer-lost.workflow.ts';
export { refreshCustomerWorkflow } from './customer-refresh.workflow.ts';
export { recordTransferFailureWorkflow } from './transfer-failed.workflow.ts';
export { syncCorpTagsWorkflow } from './corp-tags-sync.workflow.ts';
export { storeStaffMessageWorkflow } from './staff-message.workflow.ts';
export { staffNoticeDigestWorkflow } from './staff-notice-digest.workflow.ts';
export { customerSyncWorkflow } from './sync.workflow.ts';
export { customerTagsWorkflow } from './customer-tags.workflow.ts';
export { bulkTagWorkflow } from './bulk-tags.workflow.ts';
export { staffBehaviorSyncWorkflow } from './staff-behavior.workflow.ts';
export { retentionPurgeWorkflow } from './retention.workflow.ts';
// Automations.
export { appointmentWorkflow } from './appointment.workflow.ts';
export { birthdayDayWorkflow } from './birthday-day.workflow.ts';
// campaigns: the shared send path and one fire of a campaign
export { sendRunWorkflow } from './send-run.workflow.ts';
export { campaignRunWorkflow } from './campaign-run.workflow.ts';
export { journeyWorkflow } from './journey.workflow.ts';
