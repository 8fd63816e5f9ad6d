/**
 * Roles and what each may do: the one table both the API (requirePermission) and the dashboard
 * (hiding controls) read. Add a permission here first, then guard the route and the control with it.
 */

/** The dashboard's roles, most powerful first. */
export const ROLES = ['admin', 'marketer', 'viewer'] as const;
/** One dashboard role. */
export type Role = (typeof ROLES)[number];

/** Every permission, with the roles that hold it. A viewer reads; only admins manage people. */
export const PERMISSIONS = {
  /** See the system status page and other read-only pages. */
  'system.view': ['admin', 'marketer', 'viewer'],
  /** Run the end-to-end probe (starts a workflow, so it is an action, not a read). */
  'system.probe': ['admin', 'marketer'],
  /** List, create and change dashboard users, reset their passwords. */
  'users.manage': ['admin'],
  /** Read the audit log. */
  'audit.view': ['admin'],
  /** See the WeCom configuration (masked: never a secret) and the access-token status. */
  'wecom.config.view': ['admin', 'marketer', 'viewer'],
  /** Change the WeCom credentials and run "test connection" (it mints an access token). */
  'wecom.config.manage': ['admin'],
  /** See the channel codes 「联系我」 and their figures. */
  'contactWays.view': ['admin', 'marketer', 'viewer'],
  /** Create, edit, delete and import channel codes; simulate a scan in development. */
  'contactWays.manage': ['admin', 'marketer'],
  /** See customers, their detail and timeline, and the sync progress. */
  'customers.view': ['admin', 'marketer', 'viewer'],
  /** Add or remove a customer's tags (locally and in WeCom through mark_tag). */
  'customers.tag': ['admin', 'marketer'],
  /** Start a sync of staff, customers, tags and channel codes from WeCom. */
  'customers.sync': ['admin', 'marketer'],
  /**
   * Read decrypted workflow payloads and failures in the Temporal UI (its codec endpoint). Admins
   * only: the UI shows raw inputs (names, phone numbers, message text) and stack traces, outside
   * the dashboard's per-page views, and the people who debug workflows are the admins.
   */
  'temporal.decode': ['admin'],
  /** Export or erase one customer's data (PIPL requests). */
  'customers.privacy': ['admin'],
  /** Change the clinic's settings, e.g. how long callback logs and messages are kept. */
  'settings.manage': ['admin'],
  /** Download the filtered customer list as CSV/Excel (personal data leaves the system: audited). */
  'customers.export': ['admin', 'marketer'],
  /** Save, rename and delete customer segments (named filters, campaign audiences). */
  'segments.manage': ['admin', 'marketer'],
  /** See the admin-only system status page (database, Temporal, workers, WeCom). */
  'system.admin': ['admin'],
  /** See appointments, birthday greetings, journeys and the automation settings. */
  'automations.view': ['admin', 'marketer', 'viewer'],
  /** Book, move and cancel appointments; set birthdays and import them; run a day's greetings; edit journeys and settings. */
  'automations.manage': ['admin', 'marketer'],
  /** See campaigns, their progress and results, audiences and consent. */
  'campaigns.view': ['admin', 'marketer', 'viewer'],
  /** Create, edit, launch, pause, resume and cancel campaigns; send a message to one customer. */
  'campaigns.manage': ['admin', 'marketer'],
  /** Record customers' marketing consent (staff evidence, bulk import). */
  'consents.manage': ['admin', 'marketer'],
  /** Maintain the forbidden-term list and the clinic's caps and quiet hours. */
  'compliance.manage': ['admin'],
  /** See WeCom callback events that can never start (dead letters) and queue one again. */
  'callbacks.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

/** One permission name of the table above. */
export type Permission = keyof typeof PERMISSIONS;

/** True when `role` holds `permission`; false for no role (signed out). */
export function can(role: Role | null | undefined, permission: Permission): boolean {
  if (!role) return false;
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** The roles that hold `permission`, for middleware and error messages. */
export function rolesWith(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}
