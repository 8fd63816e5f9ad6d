import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { DashboardUser } from './dashboard-user.entity.ts';

/**
 * A signed-in dashboard session. The primary key is the SHA-256 (hex) of the random token in the
 * user's cookie, so a copy of this table cannot be replayed as cookies.
 */
export const DashboardSession = defineEntity({
  name: 'DashboardSession',
  tableName: 'dashboard_sessions',
  properties: {
    id: p.string().length(64).primary(),
    user: () => p.manyToOne(DashboardUser).deleteRule('cascade').index(),
    csrfToken: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastSeenAt: p.datetime(),
    /** Absolute end of the session; the idle limit is checked against lastSeenAt. */
    expiresAt: p.datetime().index(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
  },
});
/** A row of dashboard_sessions. */
export type IDashboardSession = InferEntity<typeof DashboardSession>;
