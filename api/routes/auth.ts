import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { EntityManager } from '@mikro-orm/postgresql';
import { changePasswordRequestSchema, loginRequestSchema, type SessionInfo } from '../../common/auth.schema.ts';
import { DashboardSession } from '../../db/entities/index.ts';
import type { IDashboardUser } from '../../db/entities/dashboard-user.entity.ts';
import { recordAudit } from '../auth/audit.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { HashGate } from '../auth/hash-gate.ts';
import { requireAllowedOrigin, requireJsonBody } from '../auth/login-guards.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/password.ts';
import { createSession, deleteSession, findUserByUsername, hashSessionToken, purgeExpiredSessions, SESSION_COOKIE } from '../auth/sessions.ts';
import { toUserView } from '../auth/user-view.ts';
import { AppError } from '../errors.ts';
import { clientInfo, type AuthEnv } from '../middleware/auth.ts';
import { readJson } from '../validation.ts';

/** What the sign-in routes need from the composition root. */
export interface AuthRouteDeps {
  em: () => EntityManager;
  /** Mark the cookie `Secure` (production, where the dashboard is served over HTTPS). */
  secureCookies: boolean;
  /** Attempt counters in PostgreSQL (shared by every API process). */
  loginThrottle: LoginThrottle;
  /** The bound on concurrent password hashing. */
  hashGate: HashGate;
  /** Browser origins besides the API's own that may sign in (ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
}

/** The one message for a wrong username or a wrong password, so neither can be told apart. */
const INVALID_CREDENTIALS = 'The username or password is wrong.';

/** The body of sign-in, `me` and a password change: who is signed in, the CSRF token, whether a new password is due. */
function sessionInfo(user: IDashboardUser, csrfToken: string): SessionInfo {
  return { user: toUserView(user), csrfToken, mustChangePassword: user.mustChangePassword };
}

function clearSessionCookie(c: Context, deps: AuthRouteDeps): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies });
}

/**
 * `POST /api/auth/login` (public): JSON only, same-site only; the attempt is counted (per username
 * and per address, in PostgreSQL) before the password is hashed, and the hashing itself is bounded.
 */
export function loginRoutes(deps: AuthRouteDeps) {
  return new Hono().post('/login', async (c) => {
    requireJsonBody(c);
    requireAllowedOrigin(c, deps.allowedOrigins);
    const { username, password } = await readJson(c, loginRequestSchema);
    const client = clientInfo(c);
    const reservation = await deps.loginThrottle.reserve(username, client.ip);
    if (!reservation.allowed) {
      const minutes = Math.ceil(reservation.retryAfterMs / 60_000);
      c.header('Retry-After', String(Math.ceil(reservation.retryAfterMs / 1000)));
      throw new AppError(429, 'too_many_attempts', `Too many sign-in attempts for this username or from this address; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    }

    const em = deps.em();
    const user = await findUserByUsername(em, username);
    const ok = await deps.hashGate.run(() => (user ? verifyPassword(password, user.passwordHash) : verifyAgainstDummy(password)));
    if (!user || !ok || user.disabled) {
      // The reason is recorded for admins but never told to the caller.
      const reason = !user ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled';
      await recordAudit(em, {
        actor: { id: user?.id ?? null, username }, action: 'auth.login_failed', details: { reason }, ip: client.ip,
        ...(user ? { target: { type: 'user', id: user.id } } : {}),
      });
      throw new AppError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }

    await deps.loginThrottle.succeeded(username, client.ip);
    await deps.loginThrottle.purgeExpired();
    // A fresh session on every sign-in (never reuse one the browser brought: session fixation).
    await deleteSession(em, getCookie(c, SESSION_COOKIE));
    await purgeExpiredSessions(em);
    const session = await createSession(em, user, client);
    user.lastLoginAt = new Date();
    await em.flush();
    await recordAudit(em, { actor: { id: user.id, username: user.username }, action: 'auth.login', target: { type: 'user', id: user.id }, ip: client.ip });

    setCookie(c, SESSION_COOKIE, session.token, {
      path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies,
      maxAge: Math.floor((session.expiresAt.getTime() - Date.now()) / 1000),
    });
    return c.json(sessionInfo(user, session.csrfToken), 200);
  });
}

/** `GET /api/auth/me`, `POST /api/auth/logout` and `POST /api/auth/change-password`, behind `requireAuth`. */
export function sessionRoutes(deps: AuthRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/me', (c) => {
      const { user, session } = c.get('auth');
      return c.json(sessionInfo(user, session.csrfToken), 200);
    })
    .post('/logout', async (c) => {
      const { user, token } = c.get('auth');
      const em = deps.em();
      await deleteSession(em, token);
      await recordAudit(em, { actor: { id: user.id, username: user.username }, action: 'auth.logout', target: { type: 'user', id: user.id }, ip: clientInfo(c).ip });
      clearSessionCookie(c, deps);
      return c.json({ ok: true as const }, 200);
    })
    .post('/change-password', async (c) => {
      const { currentPassword, newPassword } = await readJson(c, changePasswordRequestSchema);
      const { user: signedIn, token, session } = c.get('auth');
      const client = clientInfo(c);
      // Guessing the current password here is guessing a password: the same counters apply.
      const reservation = await deps.loginThrottle.reserve(signedIn.username, client.ip);
      if (!reservation.allowed) throw new AppError(429, 'too_many_attempts', 'Too many attempts; try again later.');
      const em = deps.em();
      const user = await findUserByUsername(em, signedIn.username);
      if (!user) throw new AppError(401, 'unauthenticated', 'Sign in to continue.');
      const ok = await deps.hashGate.run(() => verifyPassword(currentPassword, user.passwordHash));
      if (!ok) throw new AppError(400, 'wrong_password', 'currentPassword: the current password is wrong.', { field: 'currentPassword' });
      if (newPassword === currentPassword) throw new AppError(400, 'same_password', 'newPassword: choose a password different from the current one.', { field: 'newPassword' });
      user.passwordHash = await deps.hashGate.run(() => hashPassword(newPassword));
      user.mustChangePassword = false;
      await em.flush();
      await deps.loginThrottle.succeeded(user.username, client.ip);
      // Other sessions (whoever else knew the old password) end; this one goes on.
      await em.nativeDelete(DashboardSession, { user: user.id, id: { $ne: hashSessionToken(token) } });
      await recordAudit(em, { actor: { id: user.id, username: user.username }, action: 'auth.password_change', target: { type: 'user', id: user.id }, ip: client.ip });
      return c.json(sessionInfo(user, session.csrfToken), 200);
    });
}
