import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loginRequestSchema, type SessionInfo } from '../../common/auth.schema.ts';
import { recordAudit } from '../auth/audit.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { verifyAgainstDummy, verifyPassword } from '../auth/password.ts';
import { createSession, deleteSession, findUserByUsername, purgeExpiredSessions, SESSION_COOKIE } from '../auth/sessions.ts';
import { toUserView } from '../auth/user-view.ts';
import { AppError } from '../errors.ts';
import { clientInfo, type AuthEnv } from '../middleware/auth.ts';
import { readJson } from '../validation.ts';

/** What the sign-in routes need from the composition root. */
export interface AuthRouteDeps {
  em: () => EntityManager;
  /** Mark the cookie `Secure` (production, where the dashboard is served over HTTPS). */
  secureCookies: boolean;
}

/** The one message for a wrong username or a wrong password, so neither can be told apart. */
const INVALID_CREDENTIALS = 'The username or password is wrong.';

function clearSessionCookie(c: Context, deps: AuthRouteDeps): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies });
}

/** `POST /api/auth/login` (public): checks the password, starts a session, sets the cookie. */
export function loginRoutes(deps: AuthRouteDeps, throttle: LoginThrottle = new LoginThrottle()) {
  return new Hono().post('/login', async (c) => {
    const { username, password } = await readJson(c, loginRequestSchema);
    const client = clientInfo(c);
    const key = LoginThrottle.key(username, client.ip);
    const retryAfterMs = throttle.retryAfterMs(key);
    if (retryAfterMs > 0) {
      const minutes = Math.ceil(retryAfterMs / 60_000);
      c.header('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      throw new AppError(429, 'too_many_attempts', `Too many failed sign-ins for this username; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    }

    const em = deps.em();
    const user = await findUserByUsername(em, username);
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
    if (!user || !ok || user.disabled) {
      throttle.recordFailure(key);
      // The reason is recorded for admins but never told to the caller.
      const reason = !user ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled';
      await recordAudit(em, {
        actor: { id: user?.id ?? null, username }, action: 'auth.login_failed', details: { reason }, ip: client.ip,
        ...(user ? { target: { type: 'user', id: user.id } } : {}),
      });
      throw new AppError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }

    throttle.reset(key);
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
    const body: SessionInfo = { user: toUserView(user), csrfToken: session.csrfToken };
    return c.json(body, 200);
  });
}

/** `GET /api/auth/me` and `POST /api/auth/logout`, behind `requireAuth`. */
export function sessionRoutes(deps: AuthRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/me', (c) => {
      const { user, session } = c.get('auth');
      const body: SessionInfo = { user: toUserView(user), csrfToken: session.csrfToken };
      return c.json(body, 200);
    })
    .post('/logout', async (c) => {
      const { user, token } = c.get('auth');
      const em = deps.em();
      await deleteSession(em, token);
      await recordAudit(em, { actor: { id: user.id, username: user.username }, action: 'auth.logout', target: { type: 'user', id: user.id }, ip: clientInfo(c).ip });
      clearSessionCookie(c, deps);
      return c.json({ ok: true as const }, 200);
    });
}
