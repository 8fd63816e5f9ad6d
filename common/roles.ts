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
