import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DashboardSession, type IDashboardSession } from '../../db/entities/dashboard-session.entity.ts';
import { DashboardUser, type IDashboardUser } from '../../db/entities/dashboard-user.entity.ts';

/** Name of the httpOnly cookie that carries the session token. */
export const SESSION_COOKIE = 'clinic_session';
/** A session unused this long ends (sliding expiry). */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** A session ends this long after sign-in however active it is. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** lastSeenAt is written at most this often, so reads do not turn into a write per request. */
const TOUCH_INTERVAL_MS = 60 * 1000;

/** Where a request came from, kept with the session and in the audit log. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** SHA-256 (hex) of a session token: the only form in which the database holds it. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session for `user`; returns the token for the cookie (never stored) and the CSRF token. */
export async function createSession(em: EntityManager, user: IDashboardUser, client: ClientInfo): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  em.create(DashboardSession, {
    id: hashSessionToken(token), user, csrfToken, createdAt: now, lastSeenAt: now, expiresAt,
    ip: client.ip?.slice(0, 64) ?? null, userAgent: client.userAgent?.slice(0, 512) ?? null,
  });
  await em.flush();
  return { token, csrfToken, expiresAt };
}

/** The live session of `token` with its user, or null (unknown, expired, idle too long, or user disabled). */
export async function findSession(em: EntityManager, token: string | undefined): Promise<{ session: IDashboardSession; user: IDashboardUser } | null> {
  if (!token || token.length > 200) return null;
  const session = await em.findOne(DashboardSession, { id: hashSessionToken(token) }, { populate: ['user'] });
  if (!session) return null;
  const now = Date.now();
  const user = session.user as IDashboardUser;
  if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now || user.disabled) {
    await em.nativeDelete(DashboardSession, { id: session.id });
    return null;
  }
  if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    session.lastSeenAt = new Date(now);
    await em.flush();
  }
  return { session, user };
}

/** Ends one session (sign-out). */
export async function deleteSession(em: EntityManager, token: string | undefined): Promise<void> {
  if (token) await em.nativeDelete(DashboardSession, { id: hashSessionToken(token) });
}

/** Ends every session of one user (disabled, or password reset), so the change takes effect at once. */
export async function deleteUserSessions(em: EntityManager, userId: number): Promise<void> {
  await em.nativeDelete(DashboardSession, { user: userId });
}

/** Removes sessions past their absolute or idle limit; called at sign-in so the table stays small. */
export async function purgeExpiredSessions(em: EntityManager): Promise<void> {
  const now = Date.now();
  await em.nativeDelete(DashboardSession, {
    $or: [{ expiresAt: { $lte: new Date(now) } }, { lastSeenAt: { $lte: new Date(now - SESSION_IDLE_MS) } }],
  });
}

/** Looks a user up by (lower-case) username. */
export function findUserByUsername(em: EntityManager, username: string): Promise<IDashboardUser | null> {
  return em.findOne(DashboardUser, { username: username.toLowerCase() });
}
