import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { RequestContext } from '@mikro-orm/core';
import { inject } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { createApp, type AppDeps } from '../../api/app.ts';
import { createTemporalGateway, type TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../../api/wework/callback-credentials.ts';
import { createCallbackInbox, type CallbackInbox } from '../../api/wework/callback-inbox.ts';
import type { InboxDispatcherOptions } from '../../api/wework/inbox-dispatcher.ts';
import { WeworkContactWay } from '../../db/entities/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { startSimulator, type RunningSimulator } from '../../sim/simulator.ts';
import { CallbackCrypto } from '../../wecom/callback-crypto.ts';
import type { TestDatabase } from './database.ts';
import { testNamespace } from './namespace.ts';
import type { WorkerLimits } from '../../worker.ts';
import { startTestWorker, type RunningTestWorker } from './temporal.ts';

/** The product wired as in production — API over HTTP, a real worker — talking to the simulator. */
export interface TestProduct {
  apiUrl: string;
  sim: RunningSimulator;
  temporal: TemporalGateway;
  /** The API's callback inbox (its dispatcher and relay run as in production). */
  inbox: CallbackInbox;
  /** The realtime queue (the bulk queue is this plus `-bulk`). */
  taskQueue: string;
  secretKey: Buffer;
  /** The product's own crypto for the simulator's demo corp, to build deliveries by hand. */
  crypto: CallbackCrypto;
  worker: RunningTestWorker | null;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the simulator, the API (HTTP, with the simulator's callbacks pointed at it) and a real
 * worker on its own task queue, with WeCom configured for the simulator's demo corp.
 */
export async function startTestProduct(db: TestDatabase, options: { temporalAddress?: string; temporalUiUrl?: string; worker?: boolean; relayPollMs?: number; inbox?: Omit<InboxDispatcherOptions, 'store' | 'temporal'>; workerLimits?: WorkerLimits; app?: Partial<AppDeps>; dashboardDist?: string; secretKey?: Buffer } = {}): Promise<TestProduct> {
  // APP_SECRET_KEY: random per product unless fixed (the history recorder uses RECORDING_SECRET_KEY).
  const secretKey = options.secretKey ?? randomBytes(32);
  const box = new SecretBox(secretKey);
  const sim = await startSimulator({ port: 0, callbackRetryDelayMs: 200, groupMsgConfirmDelayMs: null });
  await saveWeworkCredentials(db.orm.em.fork(), box, {
    corpId: DEMO_OPTIONS.corpId, corpSecret: DEMO_OPTIONS.corpSecret, agentId: DEMO_OPTIONS.agentId,
    token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
  });
  const taskQueue = `product-${randomBytes(3).toString('hex')}`;
  // The shared dev server has a namespace per test file; a test's own server only has 'default'.
  const namespace = options.temporalAddress ? 'default' : testNamespace();
  const temporal = createTemporalGateway({ address: options.temporalAddress ?? inject('temporalAddress'), namespace, taskQueue, probeTimeoutMs: 2_000, payloadKeys: { current: secretKey } });
  const inbox = createCallbackInbox({ databaseUrl: db.url, temporal, dispatcher: { pollMs: options.relayPollMs ?? 2_000, maxBackoffMs: 5_000, ...options.inbox } });
  const app = createApp({
    em: () => db.orm.em.fork(), temporal, callbackInbox: inbox, temporalUiUrl: options.temporalUiUrl ?? inject('temporalUiUrl'), version: 'test', dashboardDist: options.dashboardDist ?? '/nonexistent',
    secureCookies: false, callbackCrypto: createCallbackCryptoSource({ em: () => db.orm.em.fork(), box }),
    box, wecomApiBase: sim.url, wecom: () => createWeComAccess({ orm: db.orm, box, apiBase: sim.url }),
    ...options.app,
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (request, env) => RequestContext.create(db.orm.em, () => app.fetch(request, env)), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim.controls.setOptions({ callbackUrl: `${apiUrl}/api/wework/callback` });

  const product: TestProduct = {
    apiUrl, sim, temporal, inbox, taskQueue, secretKey,
    crypto: new CallbackCrypto({ token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey, receiveId: DEMO_OPTIONS.corpId }),
    worker: null,
    async startWorker() {
      product.worker = await startTestWorker(db.orm, db.url, { secretKey, apiBase: sim.url }, taskQueue, namespace, {
        ...(options.workerLimits ? { limits: options.workerLimits } : {}),
        ...(options.temporalAddress ? { temporalAddress: options.temporalAddress } : {}),
      });
    },
    async stopWorker() {
      await product.worker?.stop();
      product.worker = null;
    },
    async stop() {
      await product.stopWorker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inbox.close();
      await temporal.close();
      await sim.close();
    },
  };
  if (options.worker !== false) await product.startWorker();
  return product;
}

/** Creates a channel code in WeCom (the simulator) through the product's client and records it locally, as the dashboard does; returns its config_id. */
export async function createChannelCode(db: TestDatabase, product: TestProduct, channel: { state: string; remark: string; welcome: string }): Promise<string> {
  const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
  const { config_id: configId } = await api.contactWay.add({ type: 1, scene: 2, state: channel.state, user: ['zhangsan'], remark: channel.remark });
  const em = db.orm.em.fork();
  em.create(WeworkContactWay, { configId, type: 1, scene: 2, state: channel.state, remark: channel.remark, userIds: ['zhangsan'], welcomeTemplate: { text: channel.welcome } });
  await em.flush();
  return configId;
}

/** Re-delivers a decrypted callback the way WeCom retries it: same content, fresh encryption. */
export async function deliverAgain(product: TestProduct, xml: string): Promise<Response> {
  const envelope = product.crypto.encryptCallback(xml, { timestamp: String(Math.floor(Date.now() / 1000)), nonce: randomBytes(5).toString('hex'), agentId: DEMO_OPTIONS.agentId });
  const query = new URLSearchParams({ msg_signature: envelope.msgSignature, timestamp: envelope.timestamp, nonce: envelope.nonce });
  return fetch(`${product.apiUrl}/api/wework/callback?${query}`, { method: 'POST', body: envelope.body, headers: { 'content-type': 'text/xml' } });
}
