/**
 * A scripted failure for the next `remaining` calls (of one API, or of any when api is null):
 * an errcode, an HTTP status, `drop` — the connection is cut before any answer and before the call
 * runs — or `lose`: the call is executed (a task is created, a tag is marked…) and then the
 * connection drops without an answer, what a timeout or a dead proxy looks like to the caller.
 */
export type ForcedFault = { kind: 'errcode' | 'http' | 'drop' | 'lose'; code: number; remaining: number; api: string | null };

/** Fault knobs and call counters; all mutable, all reset by reset(). */
export type FaultState = {
  forced: ForcedFault[];
  /** Added latency in ms for every call, and per API (added together). */
  latencyMs: number;
  latencyByApi: Record<string, number>;
  /** Per-minute call quotas by API name ('*' = every API); exceeding one blocks that API for 60 s with 45009. */
  quotas: Record<string, number>;
  windows: Map<string, { start: number; count: number; blockedUntil: number }>;
  /** Calls received per API (every call, failed or not). */
  calls: Map<string, number>;
  /** Non-zero errcodes answered per API. */
  errors: Map<string, Map<number, number>>;
  /** One-shot barriers by API: the next `needed` calls wait for each other, then all proceed. */
  barriers: Map<string, Barrier>;
};

/** Calls held until `needed` of them have arrived (or a timeout passes), so a race is certain. */
export type Barrier = { needed: number; release: Array<() => void>; timer: NodeJS.Timeout };

/** Fresh fault state: no faults, zero counters. */
export function createFaultState(): FaultState {
  return { forced: [], latencyMs: 0, latencyByApi: {}, quotas: {}, windows: new Map(), calls: new Map(), errors: new Map(), barriers: new Map() };
}

/** Counts a call to `api`. */
export function countCall(f: FaultState, api: string): void {
  f.calls.set(api, (f.calls.get(api) ?? 0) + 1);
}

/** Counts a non-zero errcode answered for `api`. */
export function countError(f: FaultState, api: string, errcode: number): void {
  let m = f.errors.get(api);
  if (!m) f.errors.set(api, (m = new Map()));
  m.set(errcode, (m.get(errcode) ?? 0) + 1);
}

/** Holds a call of `api` at its barrier, if one is armed, until the barrier's count is reached. */
export function passBarrier(f: FaultState, api: string): Promise<void> | undefined {
  const barrier = f.barriers.get(api);
  if (!barrier) return undefined;
  const arrived = new Promise<void>((resolve) => barrier.release.push(resolve));
  if (barrier.release.length >= barrier.needed) openBarrier(f, api);
  return arrived;
}

/** Lets every call held at `api`'s barrier go on and disarms it. */
export function openBarrier(f: FaultState, api: string): void {
  const barrier = f.barriers.get(api);
  if (!barrier) return;
  f.barriers.delete(api);
  clearTimeout(barrier.timer);
  for (const release of barrier.release) release();
}

/** Takes the first forced fault that applies to `api`, consuming one of its uses. */
export function takeForcedFault(f: FaultState, api: string): ForcedFault | undefined {
  const i = f.forced.findIndex((x) => x.remaining > 0 && (x.api === null || x.api === api));
  if (i < 0) return undefined;
  const fault = f.forced[i]!;
  fault.remaining--;
  if (fault.remaining <= 0) f.forced.splice(i, 1);
  return fault;
}

/** Applies the per-minute quota of `api` (or '*'); true when the call must be refused with 45009. */
export function overQuota(f: FaultState, api: string, nowMs: number): boolean {
  for (const key of [api, '*']) {
    const quota = f.quotas[key];
    if (quota === undefined) continue;
    const windowKey = key === '*' ? `*:${api}` : api;
    let w = f.windows.get(windowKey);
    if (!w || nowMs - w.start >= 60_000) f.windows.set(windowKey, (w = { start: nowMs, count: 0, blockedUntil: w?.blockedUntil ?? 0 }));
    if (nowMs < w.blockedUntil) return true;
    w.count++;
    if (w.count > quota) {
      w.blockedUntil = nowMs + 60_000;
      return true;
    }
  }
  return false;
}

/** Plain-JSON view of counters for GET /sim/stats/calls. */
export function statsView(f: FaultState): { calls: Record<string, number>; errors: Record<string, Record<string, number>>; total: number } {
  const calls = Object.fromEntries(f.calls);
  const errors: Record<string, Record<string, number>> = {};
  for (const [api, m] of f.errors) errors[api] = Object.fromEntries([...m].map(([k, v]) => [String(k), v]));
  return { calls, errors, total: [...f.calls.values()].reduce((a, b) => a + b, 0) };
}
