import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { createApp } from '../../api/app.ts';
import { createTemporalGateway, type TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../../api/wework/callback-credentials.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

/** The codec endpoint the Temporal UI calls, through the real app against a real database. */

const UI = 'http://localhost:8233';
const input = { version: 1, kind: 'add_external_contact', externalUserId: 'wmCodec', userId: 'zhangsan' };

let db: TestDatabase;
let temporal: TemporalGateway;
let app: ReturnType<typeof createApp>;
let sessions: Record<'admin' | 'marketer' | 'viewer', Session>;

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
const wire = (payload: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(payload.data),
});

function codec(operation: 'decode' | 'encode', body: unknown, headers: Record<string, string>) {
  return app.request(`/api/temporal-codec/${operation}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  db = await createTestDatabase();
  temporal = createTemporalGateway({ address: inject('temporalAddress'), namespace: 'default', payloadKeys: { current: randomBytes(32) } });
  const em = () => db.orm.em.fork();
  const box = new SecretBox(randomBytes(32));
  const apiBase = 'http://127.0.0.1:9';
  app = createApp({
    em, temporal, temporalUiUrl: UI, version: 'test', dashboardDist: '/nonexistent', secureCookies: false,
    callbackCrypto: createCallbackCryptoSource({ em, box }), box, wecomApiBase: apiBase, wecom: () => createWeComAccess({ orm: db.orm, box, apiBase }),
  });
  sessions = await signInAsEveryRole(db.orm, (path, init) => app.request(path, init));
});
afterAll(async () => {
  await temporal?.close();
  await db?.drop();
});

describe('POST /api/temporal-codec/{encode,decode} (the Temporal UI\'s codec server)', () => {
  it('answers the UI\'s preflight without a session, naming only the UI\'s origin, and refuses other origins', async () => {
    const preflight = await app.request('/api/temporal-codec/decode', {
      method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');

    const elsewhere = await app.request('/api/temporal-codec/decode', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('encodes and decodes for a signed-in admin calling from the UI\'s origin', async () => {
    const encoded = await codec('encode', { payloads: [wire(defaultPayloadConverter.toPayload(input)!)] }, { origin: UI, cookie: sessions.admin.cookie });
    expect(encoded.status).toBe(200);
    expect(encoded.headers.get('access-control-allow-origin')).toBe(UI);
    const { payloads: [ciphertext] } = (await encoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(Buffer.from(ciphertext!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(ciphertext!.data, 'base64').toString('latin1')).not.toContain('wmCodec');

    const decoded = await codec('decode', { payloads: [ciphertext] }, { origin: UI, cookie: sessions.admin.cookie });
    expect(decoded.status).toBe(200);
    const { payloads: [plain] } = (await decoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(Buffer.from(plain!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(plain!.data, 'base64').toString())).toEqual(input);
  });

  it('decodes what the product\'s own Temporal client encrypted (same codec as the histories)', async () => {
    const [ciphertext] = await temporal.payloadCodec.encode([defaultPayloadConverter.toPayload(input)!]);
    const decoded = await codec('decode', { payloads: [wire(ciphertext!)] }, { origin: UI, cookie: sessions.admin.cookie });
    const { payloads: [plain] } = (await decoded.json()) as { payloads: Array<{ data: string }> };
    expect(JSON.parse(Buffer.from(plain!.data, 'base64').toString())).toEqual(input);
  });

  it('refuses strangers, other roles, other origins and requests without an Origin', async () => {
    const [ciphertext] = await temporal.payloadCodec.encode([defaultPayloadConverter.toPayload(input)!]);
    const body = { payloads: [wire(ciphertext!)] };
    const stranger = await codec('decode', body, { origin: UI });
    expect(stranger.status).toBe(401);
    // The UI can read the refusal (and tell the operator to sign in), because it carries CORS headers.
    expect(stranger.headers.get('access-control-allow-origin')).toBe(UI);
    expect((await codec('decode', body, { origin: UI, cookie: sessions.marketer.cookie })).status).toBe(403);
    expect((await codec('decode', body, { origin: UI, cookie: sessions.viewer.cookie })).status).toBe(403);

    const otherSite = await codec('decode', body, { origin: 'http://evil.example', cookie: sessions.admin.cookie });
    expect(otherSite.status).toBe(403);
    expect(await otherSite.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect(otherSite.headers.get('access-control-allow-origin')).toBeNull();
    // Even with the dashboard's CSRF token: this endpoint is for the Temporal UI only.
    expect((await codec('decode', body, { cookie: sessions.admin.cookie, 'x-csrf-token': sessions.admin.csrfToken })).status).toBe(403);

    // An admin still on a generated first password is held at the password change, here as in the dashboard.
    await db.orm.em.fork().getConnection().execute(`update dashboard_users set must_change_password = true where role = 'admin'`);
    const firstPassword = await codec('decode', body, { origin: UI, cookie: sessions.admin.cookie });
    await db.orm.em.fork().getConnection().execute(`update dashboard_users set must_change_password = false where role = 'admin'`);
    expect(firstPassword.status).toBe(403);
    expect(await firstPassword.json()).toMatchObject({ error: { code: 'password_change_required' } });
  });

  it('answers 422 for a tampered payload instead of returning garbage', async () => {
    const [ciphertext] = await temporal.payloadCodec.encode([defaultPayloadConverter.toPayload(input)!]);
    const data = Buffer.from(ciphertext!.data!);
    data[15] = data[15]! ^ 0xff;
    const response = await codec('decode', { payloads: [wire({ ...ciphertext!, data })] }, { origin: UI, cookie: sessions.admin.cookie });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_undecodable' } });
  });
});
