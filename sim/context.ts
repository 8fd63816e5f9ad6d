import type { FaultState } from './faults.ts';
import type { SimOptions } from './options.ts';
import type { SimState } from './state.ts';
import type { TokenStore } from './tokens.ts';

/** What every route and action of one simulator instance shares. */
export type SimContext = {
  /** Mutable: controls may change the TTL, delays, callback URL… at run time. */
  options: SimOptions;
  /** Replaced wholesale on reset, so always read it through the context. */
  state: SimState;
  faults: FaultState;
  tokens: TokenStore;
  /** Timers (group-message confirmations, delivery retries) cleared on reset and close. */
  timers: Set<ReturnType<typeof setTimeout>>;
  /** In-flight callback deliveries, awaited on close. */
  inflight: Set<Promise<unknown>>;
  /** Aborted on close so no delivery outlives the simulator. */
  shutdown: AbortController;
  /** Marks state as changed (persistence saves it soon). */
  touch: () => void;
};

/** Epoch seconds of the simulator's clock. */
export function nowSec(ctx: SimContext): number {
  return Math.floor(ctx.options.now() / 1000);
}

/** Runs `fn` after `ms` on a timer the simulator can cancel. */
export function schedule(ctx: SimContext, ms: number, fn: () => void): void {
  const t = setTimeout(() => {
    ctx.timers.delete(t);
    fn();
  }, ms);
  ctx.timers.add(t);
}

/** A failure of a /sim control request: answered with an HTTP status and `{ error }`. */
export class ControlError extends Error {
  /** HTTP status to answer. */
  readonly status: 400 | 404 | 409;
  constructor(status: 400 | 404 | 409, message: string) {
    super(message);
    this.status = status;
  }
}
