import type { UserView } from '../../common/auth.schema.ts';
import type { IDashboardUser } from '../../db/entities/dashboard-user.entity.ts';

/** A user as the API shows it: an explicit allow-list of fields, so the password hash can never leak. */
export function toUserView(user: IDashboardUser): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName ?? null,
    role: user.role,
    disabled: user.disabled,
    lastLoginAt: user.lastLoginAt ? user.lastLoginAt.toISOString() : null,
    createdAt: user.createdAt.toISOString(),
  };
}
