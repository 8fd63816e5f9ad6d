/**
 * Workflow ids are business keys: the same business fact always maps to the same id, so starting it
 * twice is a no-op ("already started" is success).
 */
export const workflowIds = {
  /** One probe at a time per task queue: concurrent health checks share the running one. */
  healthProbe: (taskQueue: string) => `health-probe:${taskQueue}`,
  /**
   * A WeCom callback event, keyed by its decrypted content: WeCom's retries map to the same id
   * (and are rejected as duplicates), two customers added in the same second do not.
   */
  wecomEvent: (dedupeKey: string) => `wecom:${dedupeKey}`,
  /** One staff member's digest of the notices WeCom's pace held back: one at a time per member, woken by signal. */
  noticeDigest: (staffUserid: string) => `notice-digest:${staffUserid}`,
  /** The on-demand customer sync: one id, so two clicks share the running sync. */
  customerSync: () => 'sync:customers',
  /** The import of the channel codes that exist in WeCom (a sync of channel codes only): one at a time. */
  contactWayImport: () => 'sync:contact-ways',
  /** The Temporal Schedule that starts the daily sync (its runs get this id plus a timestamp). */
  customerSyncSchedule: () => 'sync:customers:daily',
  /** One tag edit of one customer from the dashboard; `editId` is minted by the API per request. */
  customerTags: (externalUserId: string, editId: string) => `customer-tags:${externalUserId}:${editId}`,
  /** One bulk tag change (its job row's id). */
  bulkTags: (jobId: number) => `bulk-tags:${jobId}`,
  /** The staff behaviour sync (its scheduled runs get this id plus a timestamp). */
  staffBehaviorSync: () => 'staff-behavior:sync',
  /** The Temporal Schedule that syncs WeCom's 联系客户统计 daily. */
  staffBehaviorSchedule: () => 'staff-behavior:daily',
  /** The retention purge (its scheduled runs get this id plus a timestamp). */
  retentionPurge: () => 'retention:purge',
  /** The Temporal Schedule that runs the retention purge daily. */
  retentionPurgeSchedule: () => 'retention:purge:daily',
  /** One appointment's reminders: rescheduled and cancelled through Updates to this id. */
  appointment: (appointmentId: number) => `appointment:${appointmentId}`,
  /** One customer's journey with one staff member (a customer re-added to another member starts another). */
  journey: (externalUserId: string, userId: string) => `journey:${externalUserId}:${userId}`,
  /** The Temporal Schedule that starts each clinic-local day's birthday greetings. */
  birthdaySchedule: () => 'automations:birthdays:daily',
  /** One clinic-local day's birthday greetings run by an operator (`POST /api/automations/birthdays/run`). */
  birthdayDay: (date: string) => `birthdays:${date}`,
  /** The send path's workflow of one send run (campaign fire, birthday day, direct message…). */
  sendRun: (runId: number) => `send-run:${runId}`,
  /** A launch of a campaign from the dashboard/API; `launchId` is minted by the API per launch. */
  campaignLaunch: (campaignId: number, launchId: string) => `campaign:${campaignId}:launch:${launchId}`,
  /** The one Temporal Schedule of a scheduled or recurring campaign. */
  campaignSchedule: (campaignId: number) => `campaign:${campaignId}:schedule`,
};
