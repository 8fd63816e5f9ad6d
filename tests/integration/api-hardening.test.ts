import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { createApp } from '../../api/app.ts';
import { createTemporalGateway, type TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createTestApp } from '../setup/app.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

let db: TestDatabase;
let temporal: TemporalGateway;
let app: ReturnType<typeof createApp>;
let admin: Session;


beforeAll(async () => {
  db = await createTestDatabase();
  temporal = createTemporalGateway({ address: inject('temporalAddress'), namespace: 'default', taskQueue: 'hardening-nobody', payloadKeys: { current: Buffer.alloc(32, 1) } });
  app = createTestApp(db, temporal);
  await createUser(db.orm, { username: 'boss', password: 'hardening-pass-1', role: 'admin' });
  admin = await signIn((path, init) => app.request(path, init), 'boss', 'hardening-pass-1');
});
afterAll(async () => {
  await temporal?.close();
  await db?.drop();
});

describe('every API answer', () => {
  it('refuses a 10 MB JSON body with 413 in the standard error shape, signed in or not', async () => {
    const huge = JSON.stringify({ username: 'boss', password: 'x'.repeat(10 * 1024 * 1024) });
    for (const [path, headers] of [['/api/auth/login', { 'content-type': 'application/json' }], ['/api/users', admin.headers()]] as const) {
      const response = await app.request(path, { method: 'POST', headers, body: huge });
      expect(response.status, path).toBe(413);
      expect(await response.json()).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining('1024 KiB') } });
    }
  });

  it('sends a CSP without framing, nosniff, and no-store on personal data but not on the public status', async () => {
    const users = await app.request('/api/users', { headers: admin.headers() });
    expect(users.status).toBe(200);
    expect(users.headers.get('cache-control')).toBe('no-store');
    expect(users.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = users.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('https://wework.qpic.cn');
    expect(csp).toContain("script-src 'self'");
    expect(users.headers.get('strict-transport-security')).toBeNull();
    expect((await app.request('/api/nope')).headers.get('cache-control')).toBe('no-store');

    const health = await app.request('/api/health');
    expect(health.headers.get('cache-control')).toBeNull();
    expect(health.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const production = await createTestApp(db, temporal, { hsts: true }).request('/api/health');
    expect(production.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
