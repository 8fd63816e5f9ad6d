import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CSRF_HEADER } from '../../common/auth.schema.ts';
import { rolesWith, type Permission, type Role } from '../../common/roles.ts';
import type { IDashboardSession } from '../../db/entities/dashboard-session.entity.ts';
import type { IDashboardUser } from '../../db/entities/dashboard-user.entity.ts';
import { AppError } from '../errors.ts';
import { findSession, SESSION_COOKIE, type ClientInfo } from '../auth/sessions.ts';

/** What the auth middleware needs from the composition root. */
export interface AuthDeps {
  em: () => EntityManager;
}

/** The signed-in user and their session, set by `requireAuth` for the handlers after it. */
export interface AuthContext {
  user: IDashboardUser;
  session: IDashboardSession;
  /** The raw cookie token (never stored), so sign-out can delete exactly this session. */
  token: string;
}

/** Hono environment of routes behind `requireAuth`. */
export type AuthEnv = { Variables: { auth: AuthContext } };

/** What a user who must change their password may still do. */
const PASSWORD_CHANGE_PATHS = new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/auth/change-password']);

/** Methods that change nothing, so they need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The client's address (see resolveClientAddress: X-Forwarded-For only from a trusted proxy) and user agent. */
export function clientInfo(c: Context): ClientInfo {
  let ip: string | null = c.get('clientIp') ?? null;
  if (ip === null) {
    try {
      ip = getConnInfo(c).remote.address ?? null;
    } catch {
      // app.request() in tests has no socket.
    }
  }
  return { ip, userAgent: c.req.header('user-agent') ?? null };
}

/**
 * Lets a request through only with a live session cookie (401 `unauthenticated` otherwise) and, for
 * state-changing methods, the session's CSRF token in `x-csrf-token` (403 `csrf_failed` otherwise).
 */
export function requireAuth(deps: AuthDeps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const found = await findSession(deps.em(), token);
    if (!found || !token) throw new AppError(401, 'unauthenticated', 'Sign in to continue.');
    if (!SAFE_METHODS.has(c.req.method) && !sameToken(c.req.header(CSRF_HEADER), found.session.csrfToken)) {
      throw new AppError(403, 'csrf_failed', `The request lacks a valid ${CSRF_HEADER} header; reload the page and try again.`);
    }
    if (found.user.mustChangePassword && !PASSWORD_CHANGE_PATHS.has(`${c.req.method} ${c.req.path}`)) {
      throw new AppError(403, 'password_change_required', 'Change the generated first password before using the dashboard (POST /api/auth/change-password).');
    }
    c.set('auth', { ...found, token });
    await next();
  };
}

/** Lets a signed-in user through only with one of `roles` (403 `forbidden` otherwise). Use after `requireAuth`. */
export function requireRole(...roles: readonly Role[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const auth = c.get('auth') as AuthContext | undefined;
    if (!auth) throw new AppError(401, 'unauthenticated', 'Sign in to continue.');
    if (!roles.includes(auth.user.role)) {
      throw new AppError(403, 'forbidden', `This needs the role ${roles.join(' or ')}; you are signed in as ${auth.user.role}.`);
    }
    await next();
  };
}

/** `requireRole` for the roles that hold `permission` in common/roles.ts. */
export function requirePermission(permission: Permission): MiddlewareHandler<AuthEnv> {
  return requireRole(...rolesWith(permission));
}
