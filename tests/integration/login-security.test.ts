import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { createApp } from '../../api/app.ts';
import { bootstrapAdmin } from '../../api/auth/bootstrap-admin.ts';
import { HashGate } from '../../api/auth/hash-gate.ts';
import { createTemporalGateway, type TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { sessionInfoSchema } from '../../common/auth.schema.ts';
import { createTestApp } from '../setup/app.ts';
import { createUser, signIn } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

let db: TestDatabase;
let temporal: TemporalGateway;
const servers: ServerType[] = [];


/** Serves `app` over real HTTP (so the client address comes from a socket); returns its URL. */
async function listen(app: ReturnType<typeof createApp>): Promise<string> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (request, env) => app.fetch(request, env), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function login(base: string, username: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }),
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  temporal = createTemporalGateway({ address: inject('temporalAddress'), namespace: 'default', taskQueue: 'login-security-nobody', payloadKeys: { current: Buffer.alloc(32, 1) } });
});
// Every test here comes from 127.0.0.1: start each with no attempts counted for it.
beforeEach(async () => {
  await db.orm.em.getConnection().execute('delete from login_attempts');
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  await temporal?.close();
  await db?.drop();
});

describe('sign-in throttling', () => {
  it('lets at most 5 of 40 parallel wrong passwords reach the password hash', async () => {
    await createUser(db.orm, { username: 'reception', password: 'the-right-password', role: 'viewer' });
    const gate = new HashGate();
    const base = await listen(createTestApp(db, temporal, { hashGate: gate }));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(base, 'reception', `guess-${i}`)));
    const statuses = answers.map((answer) => answer.status);
    expect(gate.entered).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 401)).toHaveLength(gate.entered);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40 - gate.entered);
    // Even the right password is refused now, without hashing anything.
    expect((await login(base, 'reception', 'the-right-password')).status).toBe(429);
    expect(gate.entered).toBeLessThanOrEqual(5);
  });

  it('holds the limits across two API instances sharing one database', async () => {
    await createUser(db.orm, { username: 'nurse', password: 'the-right-password', role: 'viewer' });
    const [a, b] = [await listen(createTestApp(db, temporal)), await listen(createTestApp(db, temporal))];
    for (let i = 0; i < 3; i += 1) expect((await login(a, 'nurse', `guess-a${i}`)).status).toBe(401);
    for (let i = 0; i < 2; i += 1) expect((await login(b, 'nurse', `guess-b${i}`)).status).toBe(401);
    expect((await login(a, 'nurse', 'the-right-password')).status).toBe(429);
    expect((await login(b, 'nurse', 'the-right-password')).status).toBe(429);
  });

  it('limits one address across usernames, reading X-Forwarded-For only from a trusted proxy', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4']) await createUser(db.orm, { username: `staff-${name}`, password: 'the-right-password', role: 'viewer' });
    const behindProxy = await listen(createTestApp(db, temporal, { trustedProxies: ['loopback'], loginThrottle: undefined }));
    const sprayFrom = (address: string, username: string) => login(behindProxy, username, 'wrong-password', { 'x-forwarded-for': address });
    // 30 attempts per address: spread over usernames so no username reaches its own limit.
    const usernames = Array.from({ length: 31 }, (_, i) => `ghost-${i}`);
    for (const username of usernames.slice(0, 30)) expect((await sprayFrom('203.0.113.7', username)).status).toBe(401);
    expect((await sprayFrom('203.0.113.7', usernames[30]!)).status).toBe(429);
    // Another client behind the same proxy is its own address.
    expect((await login(behindProxy, 'staff-p1', 'the-right-password', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200);

    // Without TRUSTED_PROXIES, a forged X-Forwarded-For changes nothing: the socket address counts.
    const direct = await listen(createTestApp(db, temporal));
    const hits = [];
    for (let i = 0; i < 31; i += 1) hits.push((await login(direct, `ghost2-${i}`, 'wrong', { 'x-forwarded-for': `192.0.2.${i}` })).status);
    expect(hits.at(-1)).toBe(429);
  });
});

describe('sign-in request checks', () => {
  it('accepts JSON only and refuses another site\'s Origin, keeping the login contract for everyone else', async () => {
    await createUser(db.orm, { username: 'frontdesk', password: 'the-right-password', role: 'viewer' });
    const gate = new HashGate();
    const base = await listen(createTestApp(db, temporal, { hashGate: gate, allowedOrigins: ['https://crm.example.com'] }));
    const form = await fetch(`${base}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=frontdesk&password=the-right-password',
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const foreign = await login(base, 'frontdesk', 'the-right-password', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect(gate.entered).toBe(0);

    // Same site, a configured origin, and a client without Origin all sign in: cookie + CSRF token.
    for (const headers of [{ origin: base }, { origin: 'https://crm.example.com' }, {}] as Array<Record<string, string>>) {
      const response = await login(base, 'frontdesk', 'the-right-password', headers);
      expect(response.status).toBe(200);
      expect(response.headers.get('set-cookie')).toMatch(/^clinic_session=/);
      expect(sessionInfoSchema.parse(await response.json()).csrfToken.length).toBeGreaterThan(20);
    }
  });

  it('answers 503 rather than queueing without bound when hashing is saturated', async () => {
    await createUser(db.orm, { username: 'busy-user', password: 'the-right-password', role: 'viewer' });
    const base = await listen(createTestApp(db, temporal, { hashGate: new HashGate({ concurrency: 1, maxWaiting: 0 }) }));
    const statuses = await Promise.all([0, 1, 2].map(() => login(base, 'busy-user', 'the-right-password').then((r) => r.status)));
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
  });
});

describe('first admin', () => {
  it('writes the generated password to a 0600 file, not the log, and requires changing it before anything else', async () => {
    const fresh = await createTestDatabase();
    try {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'first-admin-'));
      const lines: string[] = [];
      const result = await bootstrapAdmin(fresh.orm.em.fork(), { NODE_ENV: 'development', DATA_DIR: dataDir }, { log: (m) => lines.push(m), warn: (m) => lines.push(m) });
      expect(result.created).toBe(true);
      const file = path.join(dataDir, 'initial-admin-password.txt');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const [username, password] = readFileSync(file, 'utf8').trim().split('\n') as [string, string];
      expect(username).toBe('admin');
      expect(lines.join('\n')).toContain(file);
      expect(lines.join('\n')).not.toContain(password);

      const app = createTestApp(fresh, temporal);
      const request = (p: string, init?: RequestInit) => app.request(p, init);
      const session = await signIn(request, 'admin', password);
      const me = sessionInfoSchema.parse(await (await request('/api/auth/me', { headers: session.headers() })).json());
      expect(me.mustChangePassword).toBe(true);
      const blocked = await request('/api/users', { headers: session.headers() });
      expect(blocked.status).toBe(403);
      expect(await blocked.json()).toMatchObject({ error: { code: 'password_change_required' } });

      const wrong = await request('/api/auth/change-password', { method: 'POST', headers: session.headers(), body: JSON.stringify({ currentPassword: 'nope-nope', newPassword: 'a-new-password-1' }) });
      expect(wrong.status).toBe(400);
      const changed = await request('/api/auth/change-password', { method: 'POST', headers: session.headers(), body: JSON.stringify({ currentPassword: password, newPassword: 'a-new-password-1' }) });
      expect(changed.status).toBe(200);
      expect(sessionInfoSchema.parse(await changed.json()).mustChangePassword).toBe(false);
      expect((await request('/api/users', { headers: session.headers() })).status).toBe(200);
      expect((await request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) })).status).toBe(401);
      await signIn(request, 'admin', 'a-new-password-1');
    } finally {
      await fresh.drop();
    }
  });
});
