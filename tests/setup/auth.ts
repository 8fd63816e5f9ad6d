import type { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword } from '../../api/auth/password.ts';
import type { Role } from '../../common/roles.ts';
import { DashboardUser } from '../../db/entities/index.ts';

/** Sends one request: `app.request` of a Hono app, or `fetch` against a running server. */
export type Requester = (path: string, init?: RequestInit) => Response | Promise<Response>;

/** A signed-in client: the cookie and CSRF token a browser would hold. */
export interface Session {
  cookie: string;
  csrfToken: string;
  /** Headers for a request as the dashboard sends it (cookie, CSRF token, JSON). */
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** Inserts a dashboard user with a real scrypt hash, as an admin would create one. */
export async function createUser(orm: MikroORM, user: { username: string; password: string; role: Role; disabled?: boolean }): Promise<number> {
  const em = orm.em.fork();
  const row = em.create(DashboardUser, {
    username: user.username, role: user.role, displayName: null, disabled: user.disabled ?? false, passwordHash: await hashPassword(user.password),
  });
  await em.flush();
  return row.id;
}

/** Signs in through `POST /api/auth/login` and returns what a browser would keep. */
export async function signIn(request: Requester, username: string, password: string): Promise<Session> {
  const response = await request('/api/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in as ${username} failed: ${response.status} ${await response.text()}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return {
    cookie,
    csrfToken,
    headers: (extra = {}) => ({ cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json', ...extra }),
  };
}

/** Creates one user per role (username = role) and signs each in. */
export async function signInAsEveryRole(orm: MikroORM, request: Requester): Promise<Record<Role, Session>> {
  const sessions = {} as Record<Role, Session>;
  for (const role of ['admin', 'marketer', 'viewer'] as const) {
    await createUser(orm, { username: role, password: `${role}-pass-1234`, role });
    sessions[role] = await signIn(request, role, `${role}-pass-1234`);
  }
  return sessions;
}
