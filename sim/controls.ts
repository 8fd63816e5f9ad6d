import { verifyCallbackUrl } from './callbacks.ts';
import type { UrlCheck } from './callbacks.ts';
import type { SimContext } from './context.ts';
import { customerAddsStaff, customerDeletesStaff, editCustomer, scanContactWay, staffDeletesCustomer } from './customer-actions.ts';
import { createFaultState, openBarrier, statsView } from './faults.ts';
import { confirmTask } from './group-messages.ts';
import type { SimOptions } from './options.ts';
import { seedState } from './seed.ts';
import type { Delivery, SentMessage } from './state.ts';

/** Options that may change while the simulator runs. */
export type RuntimeOptions = Pick<
  SimOptions,
  'callbackUrl' | 'publicUrl' | 'tokenTtlSeconds' | 'welcomeCodeTtlSeconds' | 'callbackTimeoutMs' | 'callbackAttempts' | 'callbackRetryDelayMs' | 'groupMsgConfirmDelayMs'
>;

/** Programmatic controls: the same knobs as the /sim HTTP endpoints, for in-process tests. */
export function createControls(ctx: SimContext) {
  return {
    /** Reseeds state (optionally with another customer count or seed) and clears faults, tokens, counters and timers. */
    reset(opts: { customers?: number; seed?: number } = {}): void {
      for (const t of ctx.timers) clearTimeout(t);
      ctx.timers.clear();
      for (const api of [...ctx.faults.barriers.keys()]) openBarrier(ctx.faults, api);
      ctx.state = seedState({ customers: opts.customers ?? ctx.options.customers, seed: opts.seed ?? ctx.options.seed, nowMs: ctx.options.now() });
      ctx.faults = createFaultState();
      ctx.tokens.clear();
      ctx.touch();
    },
    /** Changes run-time options (callback URL, TTLs, delays…). */
    setOptions(patch: Partial<RuntimeOptions>): void {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) (ctx.options as Record<string, unknown>)[k] = v;
    },
    /** The next `count` calls (of `api`, or of any API) answer `errcode` (e.g. 45009, 45033, 48002, 60020, -1). */
    forceError(errcode: number, count = 1, api?: string): void {
      ctx.faults.forced.push({ kind: 'errcode', code: errcode, remaining: count, api: api ?? null });
    },
    /** The next `count` calls answer HTTP `status` (5xx) instead of JSON. */
    forceHttpError(status = 500, count = 1, api?: string): void {
      ctx.faults.forced.push({ kind: 'http', code: status, remaining: count, api: api ?? null });
    },
    /** The next `count` calls (of `api`, or of any API) lose their connection: the socket is destroyed unanswered. */
    forceDrop(count = 1, api?: string): void {
      ctx.faults.forced.push({ kind: 'drop', code: 0, remaining: count, api: api ?? null });
    },
    /** The next `count` calls (of `api`, or of any API) are executed but their answer is lost (connection dropped). */
    loseResponses(count = 1, api?: string): void {
      ctx.faults.forced.push({ kind: 'lose', code: 0, remaining: count, api: api ?? null });
    },
    /** Adds latency to every call, or to one API. */
    setLatency(ms: number, api?: string): void {
      if (api) ctx.faults.latencyByApi[api] = ms;
      else ctx.faults.latencyMs = ms;
    },
    /**
     * Arms a one-shot barrier: the next `count` calls of `api` (counted, body read, not yet executed)
     * wait until all of them have arrived, then proceed together — two onboardings are certain to race. Opens anyway after `timeoutMs`.
     */
    holdCallsUntil(api: string, count: number, timeoutMs = 30_000): void {
      openBarrier(ctx.faults, api);
      const timer = setTimeout(() => openBarrier(ctx.faults, api), timeoutMs);
      timer.unref();
      ctx.faults.barriers.set(api, { needed: count, release: [], timer });
    },
    /** Lets the calls held at `api`'s barrier go on now, however many have arrived. */
    releaseHeldCalls(api: string): void {
      openBarrier(ctx.faults, api);
    },
    /** Sets (or with null removes) a per-minute quota for an API ('*' = each API). */
    setQuota(api: string, perMinute: number | null): void {
      if (perMinute === null) delete ctx.faults.quotas[api];
      else ctx.faults.quotas[api] = perMinute;
      ctx.faults.windows.clear();
    },
    /** Removes every fault (keeps call counters). */
    clearFaults(): void {
      const { calls, errors } = ctx.faults;
      for (const api of [...ctx.faults.barriers.keys()]) openBarrier(ctx.faults, api);
      ctx.faults = { ...createFaultState(), calls, errors };
    },
    /** Revokes all issued tokens (calls with them get 40014); returns how many were live. */
    revokeTokens: (): number => ctx.tokens.revokeAll(),
    /** Expires all issued tokens now (calls with them get 42001). */
    expireTokens: (): void => ctx.tokens.expireAll(),
    /** Calls and errcodes per API. */
    stats: () => statsView(ctx.faults),
    /** Calls received by one API. */
    callCount: (api: string): number => ctx.faults.calls.get(api) ?? 0,
    /** Zeroes the call counters. */
    resetStats(): void {
      ctx.faults.calls.clear();
      ctx.faults.errors.clear();
    },
    /** Every callback emitted and its delivery attempts. */
    deliveries: (): Delivery[] => ctx.state.deliveries,
    /** Resolves when no callback delivery is in flight. */
    async waitForDeliveries(): Promise<void> {
      while (ctx.inflight.size > 0) await Promise.allSettled([...ctx.inflight]);
    },
    /** Messages the product sent that reached someone (welcome and app messages; not those WeCom dropped). */
    messages: (kind?: SentMessage['kind']): SentMessage[] => ctx.state.messages.filter((m) => !m.dropped && (!kind || m.kind === kind)),
    /** App messages WeCom answered as sent but dropped: past 30 a minute or 1,000 an hour to one member. */
    droppedMessages: (): SentMessage[] => ctx.state.messages.filter((m) => m.dropped),
    /** The simulated staff member confirms a group-message task now (all tasks when userid is omitted). */
    confirmGroupMsg(msgid: string, userid?: string): number {
      const msg = ctx.state.groupMsgs.get(msgid);
      if (!msg) return 0;
      return msg.tasks.filter((t) => (!userid || t.userid === userid) && confirmTask(ctx, msgid, t.userid)).length;
    },
    /** WeCom's GET echostr check against the callback URL. */
    verifyCallbackUrl: (url?: string): Promise<UrlCheck> => verifyCallbackUrl(ctx, url),
    scan: (req: Parameters<typeof scanContactWay>[1]) => scanContactWay(ctx, req),
    addCustomer: (req: Parameters<typeof customerAddsStaff>[1]) => customerAddsStaff(ctx, req),
    customerDeletesStaff: (req: Parameters<typeof customerDeletesStaff>[1]) => customerDeletesStaff(ctx, req),
    staffDeletesCustomer: (req: Parameters<typeof staffDeletesCustomer>[1]) => staffDeletesCustomer(ctx, req),
    editCustomer: (req: Parameters<typeof editCustomer>[1]) => editCustomer(ctx, req),
  };
}

/** The programmatic control surface of a simulator. */
export type SimControls = ReturnType<typeof createControls>;
