import { randomBytes } from 'node:crypto';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { createApp, type AppDeps } from '../../api/app.ts';
import type { TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../../api/wework/callback-credentials.ts';
import { SecretBox } from '../../db/secret-box.ts';
import type { TestDatabase } from './database.ts';

/**
 * The real app, wired like api/server.ts against a test database, with WeCom pointed at a port
 * nothing listens on (for routes that must never reach it); `extra` overrides any dependency.
 */
export function createTestApp(db: TestDatabase, temporal: TemporalGateway, extra: Partial<AppDeps> = {}) {
  const em = () => db.orm.em.fork();
  const box = new SecretBox(randomBytes(32));
  const apiBase = 'http://127.0.0.1:9';
  return createApp({
    em, temporal, temporalUiUrl: null, version: 'test', dashboardDist: '/nonexistent', secureCookies: false,
    callbackCrypto: createCallbackCryptoSource({ em, box }), box, wecomApiBase: apiBase,
    wecom: () => createWeComAccess({ orm: db.orm, box, apiBase }), ...extra,
  });
}
