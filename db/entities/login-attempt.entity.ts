import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Sign-in attempts of one username or one client address (`scope` user | ip) in the window that
 * opened at `windowStart`. Written only by api/auth/login-throttle.ts's atomic upsert.
 */
export const LoginAttempt = defineEntity({
  name: 'LoginAttempt',
  tableName: 'login_attempts',
  properties: {
    scope: p.string().length(8).primary(),
    key: p.string().length(255).primary(),
    windowStart: p.datetime().index(),
    count: p.integer().default(0),
  },
});
/** A row of login_attempts. */
export type ILoginAttempt = InferEntity<typeof LoginAttempt>;
