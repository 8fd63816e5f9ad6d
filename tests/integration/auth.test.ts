import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { createApp } from '../../api/app.ts';
import { createTemporalGateway, type TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../../api/wework/callback-credentials.ts';
import { sessionInfoSchema } from '../../common/auth.schema.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { auditLogPageSchema, userListSchema, userResponseSchema } from '../../common/users.schema.ts';
import { createUser, signIn, type Requester, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

let db: TestDatabase;
let temporal: TemporalGateway;
let app: ReturnType<typeof createApp>;
let request: Requester;

/** Paths anyone may call without signing in. Anything else under /api must answer 401 to a stranger. */
const PUBLIC_ROUTES = new Set(['GET /api/health', 'POST /api/auth/login', 'GET /api/wework/callback', 'POST /api/wework/callback',
  // CORS preflights of the Temporal UI's codec endpoint: browsers send them without cookies.
  'OPTIONS /api/temporal-codec/:operation{encode|decode}']);

const PASSWORDS = { admin: 'admin-pass-1234', marketer: 'marketer-pass-1234', viewer: 'viewer-pass-1234' };
const sessions: Record<'admin' | 'marketer' | 'viewer', Session> = {} as never;
const ids: Record<'admin' | 'marketer' | 'viewer', number> = {} as never;

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return db.orm.em.getConnection().execute(sql, params);
}

function login(username: string, password: string, headers: Record<string, string> = {}) {
  return request('/api/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }),
  });
}

/** The real app, wired like api/server.ts against this file's database. */
function appWith(options: { secureCookies: boolean }) {
  const em = () => db.orm.em.fork();
  const box = new SecretBox(randomBytes(32));
  // Nothing listens on port 9: routes that reach WeCom fail, but every one below is refused before it does.
  const apiBase = 'http://127.0.0.1:9';
  return createApp({
    em, temporal, temporalUiUrl: null, version: 'test', dashboardDist: '/nonexistent', secureCookies: options.secureCookies,
    callbackCrypto: createCallbackCryptoSource({ em, box }),
    box, wecomApiBase: apiBase, wecom: () => createWeComAccess({ orm: db.orm, box, apiBase }),
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Nobody polls this queue: the probe would fail, but every probe call below is refused before it runs.
  temporal = createTemporalGateway({ address: inject('temporalAddress'), namespace: 'default', taskQueue: 'auth-test-nobody', probeTimeoutMs: 1_000, payloadKeys: { current: randomBytes(32) } });
  app = appWith({ secureCookies: false });
  request = (path, init) => app.request(path, init);
  for (const role of ['admin', 'marketer', 'viewer'] as const) {
    ids[role] = await createUser(db.orm, { username: role, password: PASSWORDS[role], role });
    sessions[role] = await signIn(request, role, PASSWORDS[role]);
  }
});
afterAll(async () => {
  await temporal?.close();
  await db?.drop();
});

describe('sign-in', () => {
  it('signs in, tells who is signed in with a CSRF token, and signs out', async () => {
    await createUser(db.orm, { username: 'xiaomei', password: 'correct-horse-battery', role: 'marketer' });
    const response = await login('XiaoMei', 'correct-horse-battery');
    expect(response.status).toBe(200);
    const body = sessionInfoSchema.parse(await response.json());
    expect(body.user).toMatchObject({ username: 'xiaomei', role: 'marketer', disabled: false });
    expect(body.user.lastLoginAt).not.toBeNull();

    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^clinic_session=[^;]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // secureCookies: false here; production sets it (see below)
    const session = cookie.split(';')[0]!;

    const me = await request('/api/auth/me', { headers: { cookie: session } });
    expect(me.status).toBe(200);
    expect(sessionInfoSchema.parse(await me.json())).toEqual(body);

    const logout = await request('/api/auth/logout', { method: 'POST', headers: { cookie: session, 'x-csrf-token': body.csrfToken } });
    expect(logout.status).toBe(200);
    expect(logout.headers.get('set-cookie')).toMatch(/clinic_session=;.*Max-Age=0/i);
    const after = await request('/api/auth/me', { headers: { cookie: session } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: 'unauthenticated' } });

    const audit = await rows<{ action: string }>(`select action from audit_logs where actor_username = 'xiaomei' order by id`);
    expect(audit.map((row) => row.action)).toEqual(['auth.login', 'auth.logout']);
  });

  it('marks the cookie Secure in production', async () => {
    const production = appWith({ secureCookies: true });
    const response = await production.request('/api/auth/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: PASSWORDS.viewer }),
    });
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('answers a wrong password and an unknown user with the same generic 401, and audits the failure', async () => {
    const wrong = await login('viewer', 'not-the-password');
    const unknown = await login('nobody-here', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const wrongBody = await wrong.json();
    expect(wrongBody).toEqual({ error: { code: 'invalid_credentials', message: 'The username or password is wrong.' } });
    expect(await unknown.json()).toEqual(wrongBody);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const audit = await rows<{ actor_username: string; details: { reason: string } }>(
      `select actor_username, details from audit_logs where action = 'auth.login_failed' order by id`,
    );
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor_username: 'viewer', details: { reason: 'wrong_password' } }),
      expect.objectContaining({ actor_username: 'nobody-here', details: { reason: 'unknown_user' } }),
    ]));
    expect(JSON.stringify(audit)).not.toContain('not-the-password');
  });

  it('refuses a disabled user with the same generic answer', async () => {
    await createUser(db.orm, { username: 'left-clinic', password: 'old-password-123', role: 'viewer', disabled: true });
    const response = await login('left-clinic', 'old-password-123');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('names the missing field of a malformed login', async () => {
    const response = await request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_request', message: 'password is required' } });
  });

  it('answers 429 after 5 failed attempts for one username, even with the right password, and leaves other usernames alone', async () => {
    await createUser(db.orm, { username: 'target', password: 'the-right-password', role: 'viewer' });
    for (let i = 0; i < 5; i += 1) expect((await login('target', `guess-${i}`)).status).toBe(401);
    const blocked = await login('target', 'the-right-password');
    expect(blocked.status).toBe(429);
    const body = (await blocked.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('too_many_attempts');
    expect(body.error.message).toMatch(/try again in 15 minutes/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another username is not locked out by someone guessing this one.
    expect((await login('viewer', PASSWORDS.viewer)).status).toBe(200);
  });
});

describe('sessions and CSRF', () => {
  it('stores only a hash of the session token', async () => {
    const token = sessions.admin.cookie.split('=')[1]!;
    const dump = await rows<{ dump: string }>(`select row_to_json(s)::text as dump from dashboard_sessions s`);
    expect(dump.length).toBeGreaterThan(0);
    expect(dump.map((row) => row.dump).join('\n')).not.toContain(token);
  });

  it('refuses a state-changing request without the CSRF header, or with a wrong one, even with a valid cookie', async () => {
    const body = JSON.stringify({ username: 'csrf-victim', role: 'admin', password: 'long-enough-pass' });
    const attempts: Array<Record<string, string>> = [
      { cookie: sessions.admin.cookie, 'content-type': 'application/json' },
      { cookie: sessions.admin.cookie, 'content-type': 'application/json', 'x-csrf-token': sessions.viewer.csrfToken },
    ];
    for (const headers of attempts) {
      const response = await request('/api/users', { method: 'POST', headers, body });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    }
    const logout = await request('/api/auth/logout', { method: 'POST', headers: { cookie: sessions.admin.cookie } });
    expect(logout.status).toBe(403);
    expect(await rows(`select 1 from dashboard_users where username = 'csrf-victim'`)).toHaveLength(0);
    // The session still works: nothing above signed anyone out.
    expect((await request('/api/auth/me', { headers: { cookie: sessions.admin.cookie } })).status).toBe(200);
  });

  it('answers 401 to a stranger on every non-public /api route the app registers', async () => {
    const routes = app.routes
      .filter((route) => route.path.startsWith('/api/') && route.method !== 'ALL')
      .map((route) => ({ method: route.method, path: route.path }));
    const checked = routes.filter((route) => !PUBLIC_ROUTES.has(`${route.method} ${route.path}`));
    expect(checked.length).toBeGreaterThanOrEqual(8);
    for (const route of checked) {
      const path = route.path.replace(/:[A-Za-z]+/g, '1');
      const response = await request(path, { method: route.method, headers: { 'content-type': 'application/json' }, body: route.method === 'GET' ? null : '{}' });
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    }
    // And the public ones really are public.
    expect((await request('/api/health')).status).not.toBe(401);
    expect((await request('/api/nope')).status).toBe(401);
  });

  it('refuses a forged or expired cookie', async () => {
    expect((await request('/api/auth/me', { headers: { cookie: 'clinic_session=forged' } })).status).toBe(401);
    const { cookie } = await signIn(request, 'viewer', PASSWORDS.viewer);
    await rows(`update dashboard_sessions set last_seen_at = now() - interval '13 hours' where id = encode(sha256(?::bytea), 'hex')`, [cookie.split('=')[1]]);
    expect((await request('/api/auth/me', { headers: { cookie } })).status).toBe(401);
  });
});

describe('roles', () => {
  const userRoutes = () => [
    { method: 'GET', path: '/api/users' },
    { method: 'POST', path: '/api/users', body: { username: 'sneaky', role: 'admin', password: 'sneaky-password' } },
    { method: 'PATCH', path: `/api/users/${ids.viewer}`, body: { role: 'admin' } },
    { method: 'POST', path: `/api/users/${ids.admin}/reset-password`, body: { password: 'taken-over-123' } },
    { method: 'GET', path: '/api/audit-logs' },
  ];

  it('lets a viewer read who they are and the system status, and nothing else', async () => {
    const viewer = sessions.viewer;
    expect((await request('/api/auth/me', { headers: viewer.headers() })).status).toBe(200);
    expect([200, 503]).toContain((await request('/api/health', { headers: viewer.headers() })).status);
    for (const route of [...userRoutes(), { method: 'POST', path: '/api/health/probe', body: {} }]) {
      const response = await request(route.path, { method: route.method, headers: viewer.headers(), body: 'body' in route ? JSON.stringify(route.body) : null });
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    const viewerRow = await rows<{ role: string }>(`select role from dashboard_users where id = ?`, [ids.viewer]);
    expect(viewerRow[0]!.role).toBe('viewer');
  });

  it('does not let a marketer manage users', async () => {
    for (const route of userRoutes()) {
      const response = await request(route.path, { method: route.method, headers: sessions.marketer.headers(), body: 'body' in route ? JSON.stringify(route.body) : null });
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
    }
    expect(await rows(`select 1 from dashboard_users where username = 'sneaky'`)).toHaveLength(0);
  });

  it('lets an admin create, change, disable and reset users, each audited, never returning a password', async () => {
    const admin = sessions.admin;
    const created = await request('/api/users', {
      method: 'POST', headers: admin.headers(), body: JSON.stringify({ username: 'Nurse.Li', displayName: '李护士', role: 'viewer', password: 'initial-pass-1' }),
    });
    expect(created.status).toBe(201);
    const createdText = await created.text();
    expect(createdText).not.toMatch(/initial-pass-1|scrypt|password/i);
    const { user } = userResponseSchema.parse(JSON.parse(createdText));
    expect(user).toMatchObject({ username: 'nurse.li', displayName: '李护士', role: 'viewer' });

    const [stored] = await rows<{ password_hash: string }>(`select password_hash from dashboard_users where id = ?`, [user.id]);
    expect(stored!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{80,}$/);
    expect(stored!.password_hash).not.toContain('initial-pass-1');

    const duplicate = await request('/api/users', { method: 'POST', headers: admin.headers(), body: JSON.stringify({ username: 'nurse.li', role: 'viewer', password: 'initial-pass-1' }) });
    expect(duplicate.status).toBe(409);
    const short = await request('/api/users', { method: 'POST', headers: admin.headers(), body: JSON.stringify({ username: 'x2', role: 'viewer', password: 'short' }) });
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({ error: { code: 'invalid_request', message: 'password must be at least 8 characters' } });
    const badRole = await request(`/api/users/${user.id}`, { method: 'PATCH', headers: admin.headers(), body: JSON.stringify({ role: 'owner' }) });
    expect(badRole.status).toBe(400);
    expect(((await badRole.json()) as { error: { message: string } }).error.message).toMatch(/^role/);

    const nurse = await signIn(request, 'nurse.li', 'initial-pass-1');
    const promoted = await request(`/api/users/${user.id}`, { method: 'PATCH', headers: admin.headers(), body: JSON.stringify({ role: 'marketer', displayName: '李主管' }) });
    expect(userResponseSchema.parse(await promoted.json()).user).toMatchObject({ role: 'marketer', displayName: '李主管' });
    // The new role applies to the session already open.
    expect(sessionInfoSchema.parse(await (await request('/api/auth/me', { headers: nurse.headers() })).json()).user.role).toBe('marketer');

    const reset = await request(`/api/users/${user.id}/reset-password`, { method: 'POST', headers: admin.headers(), body: JSON.stringify({ password: 'second-pass-22' }) });
    expect(reset.status).toBe(200);
    expect((await request('/api/auth/me', { headers: nurse.headers() })).status).toBe(401);
    expect((await login('nurse.li', 'initial-pass-1')).status).toBe(401);
    const again = await signIn(request, 'nurse.li', 'second-pass-22');

    const disabled = await request(`/api/users/${user.id}`, { method: 'PATCH', headers: admin.headers(), body: JSON.stringify({ disabled: true }) });
    expect(userResponseSchema.parse(await disabled.json()).user.disabled).toBe(true);
    expect((await request('/api/auth/me', { headers: again.headers() })).status).toBe(401);

    const list = userListSchema.parse(await (await request('/api/users', { headers: admin.headers() })).json());
    expect(list.users.map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'marketer', 'viewer', 'nurse.li']));
    const listText = JSON.stringify(list);
    expect(listText).not.toMatch(/scrypt|passwordHash|password_hash/);

    const audit = auditLogPageSchema.parse(await (await request('/api/audit-logs?pageSize=200', { headers: admin.headers() })).json());
    const aboutNurse = audit.items.filter((item) => item.targetId === String(user.id) && item.actorUsername === 'admin').map((item) => item.action);
    expect(aboutNurse).toEqual(['user.disable', 'user.password_reset', 'user.update', 'user.create']);
    const update = audit.items.find((item) => item.action === 'user.update' && item.targetId === String(user.id))!;
    expect(update.details).toEqual({ username: 'nurse.li', changes: { role: { from: 'viewer', to: 'marketer' }, displayName: { from: '李护士', to: '李主管' } } });
    expect(JSON.stringify(audit)).not.toMatch(/initial-pass-1|second-pass-22|scrypt/);

    const paged = auditLogPageSchema.parse(await (await request('/api/audit-logs?page=2&pageSize=3', { headers: admin.headers() })).json());
    expect(paged).toMatchObject({ page: 2, pageSize: 3, total: audit.total });
    expect(paged.items.map((item) => item.id)).toEqual(audit.items.slice(3, 6).map((item) => item.id));
    expect((await request('/api/audit-logs?pageSize=1000', { headers: admin.headers() })).status).toBe(400);
  });

  it('does not let the last active admin demote or disable themselves', async () => {
    const admin = sessions.admin;
    for (const change of [{ role: 'viewer' }, { disabled: true }]) {
      const response = await request(`/api/users/${ids.admin}`, { method: 'PATCH', headers: admin.headers(), body: JSON.stringify(change) });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: { code: 'last_admin' } });
    }
    const [row] = await rows<{ role: string; disabled: boolean }>(`select role, disabled from dashboard_users where id = ?`, [ids.admin]);
    expect(row).toEqual({ role: 'admin', disabled: false });

    // With a second admin, the first may step down.
    const second = await request(`/api/users/${ids.marketer}`, { method: 'PATCH', headers: admin.headers(), body: JSON.stringify({ role: 'admin' }) });
    expect(second.status).toBe(200);
    const stepDown = await request(`/api/users/${ids.admin}`, { method: 'PATCH', headers: admin.headers(), body: JSON.stringify({ role: 'marketer' }) });
    expect(stepDown.status).toBe(200);
    // Now the former admin is refused, and the new last admin is protected in turn.
    expect((await request('/api/users', { headers: admin.headers() })).status).toBe(403);
    const lastAdmin = await request(`/api/users/${ids.marketer}`, { method: 'PATCH', headers: sessions.marketer.headers(), body: JSON.stringify({ disabled: true }) });
    expect(lastAdmin.status).toBe(409);
  });
});
