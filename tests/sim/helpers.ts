import { createDecipheriv, createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../../sim/simulator.ts';
import type { RunningSimulator } from '../../sim/simulator.ts';
import type { SimOptions } from '../../sim/options.ts';

/** A WeCom-style JSON answer. */
export type WecomReply = { errcode: number; errmsg: string } & Record<string, any>;

/** A started simulator plus helpers that talk to it over HTTP like the product does. */
export type SimHarness = {
  sim: RunningSimulator;
  get(path: string, query?: Record<string, string>): Promise<WecomReply>;
  post(path: string, body: unknown, query?: Record<string, string>): Promise<WecomReply>;
  token(): Promise<string>;
  /** Calls a /cgi-bin API with a fresh-or-cached token. */
  api(path: string, body?: unknown, query?: Record<string, string>): Promise<WecomReply>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
};

/** Starts a simulator on a free port (call sim.close() after). */
export async function startHarness(opts: Partial<SimOptions> = {}): Promise<SimHarness> {
  const sim = await startSimulator({ groupMsgConfirmDelayMs: null, callbackRetryDelayMs: 0, ...opts });
  let cached: string | undefined;
  const url = (path: string, query: Record<string, string> = {}) => `${sim.url}/cgi-bin/${path}?${new URLSearchParams(query)}`;
  const h: SimHarness = {
    sim,
    async get(path, query) {
      return (await fetch(url(path, query))).json() as Promise<WecomReply>;
    },
    async post(path, body, query) {
      return (await fetch(url(path, query), { method: 'POST', body: JSON.stringify(body) })).json() as Promise<WecomReply>;
    },
    async token() {
      const o = sim.ctx.options;
      const r = await h.get('gettoken', { corpid: o.corpId, corpsecret: o.corpSecret });
      if (r.errcode !== 0) throw new Error(`gettoken failed: ${JSON.stringify(r)}`);
      return (cached = r.access_token as string);
    },
    async api(path, body, query = {}) {
      const access_token = cached ?? (await h.token());
      return body === undefined ? h.get(path, { access_token, ...query }) : h.post(path, body, { access_token, ...query });
    },
    async control(method, path, body) {
      const res = await fetch(`${sim.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
      return { status: res.status, json: await res.json() };
    },
  };
  return h;
}

/** One request a test receiver got. */
export type Received = { method: string; url: URL; body: string };

/** A local HTTP server standing in for the product's callback endpoint. */
export async function startReceiver(respond: (req: Received, n: number) => { status: number; body?: string } | Promise<{ status: number; body?: string }>) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: Received = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const out = await respond(r, received.length);
      res.writeHead(out.status, { 'content-type': 'text/plain' }).end(out.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/wework/callback`,
    received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Independent WeCom callback decryption (written from the spec, not from sim/crypto.ts). */
export function wecomDecrypt(encodingAesKey: string, encrypt: string): { xml: string; receiveId: string; pad: number } {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  d.setAutoPadding(false);
  const buf = Buffer.concat([d.update(encrypt, 'base64'), d.final()]);
  const pad = buf[buf.length - 1]!;
  const body = buf.subarray(0, buf.length - pad);
  const len = body.readUInt32BE(16);
  return { xml: body.subarray(20, 20 + len).toString('utf8'), receiveId: body.subarray(20 + len).toString('utf8'), pad };
}

/** sha1 of the sorted parts, as WeCom signs callbacks. */
export function wecomSign(...parts: string[]): string {
  return createHash('sha1').update(parts.sort().join('')).digest('hex');
}

/** Text of one XML tag (CDATA or bare). */
export function xmlTag(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${tag}>`).exec(xml);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** A manual clock for tests: `clock.now` goes to options.now, `clock.advance(ms)` moves it. */
export function manualClock(start = Date.UTC(2025, 5, 15, 4, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; }, set: (ms: number) => { t = ms; } };
}
