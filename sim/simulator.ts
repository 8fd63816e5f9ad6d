import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { ControlError } from './context.ts';
import type { SimContext } from './context.ts';
import { createControls } from './controls.ts';
import type { SimControls } from './controls.ts';
import { createFaultState } from './faults.ts';
import { resolveOptions } from './options.ts';
import type { SimOptions } from './options.ts';
import { loadStateFile, saveStateFile } from './persistence.ts';
import { registerBehaviorRoutes } from './routes/behavior.route.ts';
import { registerContactWayRoutes } from './routes/contact-way.route.ts';
import { registerControlRoutes } from './routes/control.route.ts';
import { registerCustomerRoutes } from './routes/customer.route.ts';
import { registerGroupMessageRoutes } from './routes/group-message.route.ts';
import { registerMediaRoutes } from './routes/media.route.ts';
import { registerMessageRoutes } from './routes/message.route.ts';
import { registerQrRoutes } from './routes/qr.route.ts';
import { registerTagRoutes } from './routes/tag.route.ts';
import { registerTokenRoutes } from './routes/token.route.ts';
import { registerUserRoutes } from './routes/user.route.ts';
import { seedState } from './seed.ts';
import type { SimState } from './state.ts';
import { TokenStore } from './tokens.ts';
import { createLogger } from '../logging/logger.ts';

const log = createLogger('sim');

/** A simulator instance: its Hono app, live state, and control surface. */
export type Simulator = {
  app: Hono;
  /** Live state (read through this getter: reset replaces it). */
  readonly state: SimState;
  controls: SimControls;
  /** Shared context (options are mutable at run time). */
  ctx: SimContext;
  /** Stops timers and in-flight deliveries, and saves state when a state file is configured. */
  dispose(): Promise<void>;
};

/** Builds a simulator: seeded (or loaded from `stateFile`) state and every WeCom and /sim route. */
export function createSimulator(partial: Partial<SimOptions> = {}): Simulator {
  const options = resolveOptions(partial);
  let dirty = false;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const loaded = options.stateFile ? loadStateFile(options.stateFile) : undefined;
  const ctx: SimContext = {
    options,
    state: loaded ?? seedState({ customers: options.customers, seed: options.seed, nowMs: options.now() }),
    faults: createFaultState(),
    tokens: new TokenStore(() => options.now(), () => options.tokenTtlSeconds),
    timers: new Set(),
    inflight: new Set(),
    shutdown: new AbortController(),
    touch: () => {
      if (!options.stateFile) return;
      dirty = true;
      // Debounced: a burst of writes (100k-customer sync, a campaign) saves once.
      saveTimer ??= setTimeout(() => {
        saveTimer = undefined;
        if (dirty && options.stateFile) {
          dirty = false;
          saveStateFile(options.stateFile, ctx.state);
        }
      }, 1000);
    },
  };
  const controls = createControls(ctx);
  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof ControlError) return c.json({ error: err.message }, err.status);
    log.error('unhandled', err);
    return c.json({ error: err instanceof Error ? err.message : String(err) }, 500);
  });
  registerTokenRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerContactWayRoutes(app, ctx);
  registerCustomerRoutes(app, ctx);
  registerTagRoutes(app, ctx);
  registerMessageRoutes(app, ctx);
  registerGroupMessageRoutes(app, ctx);
  registerMediaRoutes(app, ctx);
  registerBehaviorRoutes(app, ctx);
  registerQrRoutes(app, ctx);
  registerControlRoutes(app, ctx, controls);
  // Unknown WeCom paths answer like WeCom does for a bad URL, not with Hono's HTML 404.
  app.all('/cgi-bin/*', (c) => c.json({ errcode: 404, errmsg: 'invalid api path (not simulated)' }, 200));

  return {
    app,
    get state() {
      return ctx.state;
    },
    controls,
    ctx,
    async dispose() {
      for (const t of ctx.timers) clearTimeout(t);
      ctx.timers.clear();
      ctx.shutdown.abort();
      await Promise.allSettled([...ctx.inflight]);
      if (saveTimer) clearTimeout(saveTimer);
      if (options.stateFile && dirty) saveStateFile(options.stateFile, ctx.state);
    },
  };
}

/** A running simulator: its base URL and a close() that stops the server. */
export type RunningSimulator = Simulator & { url: string; close(): Promise<void> };

/** Creates a simulator and serves it over HTTP (port 0 picks a free port). */
export async function startSimulator(opts: Partial<SimOptions> & { port?: number; host?: string } = {}): Promise<RunningSimulator> {
  const { port = 0, host = '127.0.0.1', ...simOptions } = opts;
  const sim = createSimulator(simOptions);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: sim.app.fetch, port, hostname: host }, () => resolve(s));
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  sim.ctx.options.publicUrl ??= url;
  return Object.assign(sim, {
    url,
    async close() {
      await sim.dispose();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets would otherwise hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  });
}
