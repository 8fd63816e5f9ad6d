import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/** A person who signs in to the dashboard, with one role. */
export const DashboardUser = defineEntity({
  name: 'DashboardUser',
  tableName: 'dashboard_users',
  properties: {
    ...baseProperties,
    username: p.string().length(64).unique(),
    passwordHash: p.text().hidden(),
    role: p.enum(['admin', 'marketer', 'viewer'] as const),
    displayName: p.string().length(128).nullable(),
    disabled: p.boolean().default(false),
    lastLoginAt: p.datetime().nullable(),
    /** A generated first password: every API call but me / logout / change-password answers 403 until it is changed. */
    mustChangePassword: p.boolean().default(false),
  },
});
/** A row of dashboard_users. */
export type IDashboardUser = InferEntity<typeof DashboardUser>;
