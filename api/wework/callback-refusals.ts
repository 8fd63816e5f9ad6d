import type { CallbackInboxStore } from '../../db/callback-inbox.store.ts';
import { createLogger } from '../../logging/logger.ts';

const log = createLogger('api');

/** Counts, logs and rate-limits refused callback requests without storing them one by one. */
export interface CallbackRefusals {
  /** True (and counted as rate_limited) when `address` was refused `perMinute` times this minute: answer its refusal with 429. */
  limited(address: string): boolean;
  /** Records one refusal: in-memory counter per reason (flushed to wework_callback_rejections) and a log line. */
  refuse(address: string, reason: string): void;
  /** Writes the counters now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Log lines per address per minute; past that, refusals are only counted. */
const LOGGED_PER_MINUTE = 5;
/** Addresses tracked per minute: a flood from many addresses cannot grow the map without bound. */
const MAX_TRACKED = 10_000;

/**
 * Anyone can POST to the callback URL, so what is refused must cost no disk per request: counts
 * by reason and day in memory, flushed every few seconds (one upsert per reason); a log line with
 * the source address (the first few per address and minute); and 429 instead of the refusal for
 * an address past `perMinute` refusals in the current minute. Nothing is decrypted before the
 * signature verifies, so a flood costs a SHA-1 per request.
 */
export function createCallbackRefusals(options: {
  store: Pick<CallbackInboxStore, 'addRejections'>;
  perMinute?: number;
  flushEveryMs?: number;
  now?: () => number;
}): CallbackRefusals {
  const perMinute = options.perMinute ?? 60;
  const now = options.now ?? Date.now;
  // Each address's minute starts at its first refusal (not at the wall clock's minute), so a flood
  // that straddles a clock minute is not let through twice as fast.
  let byAddress = new Map<string, { since: number; n: number }>();
  let pending = new Map<string, Map<string, number>>();

  const windowOf = (address: string) => {
    const entry = byAddress.get(address);
    if (entry && now() - entry.since < 60_000) return entry;
    if (entry) byAddress.delete(address);
    if (byAddress.size >= MAX_TRACKED) byAddress = new Map([...byAddress].filter(([, e]) => now() - e.since < 60_000));
    return undefined;
  };

  const count = (reason: string) => {
    const day = new Date(now()).toISOString().slice(0, 10);
    let reasons = pending.get(day);
    if (!reasons) pending.set(day, reasons = new Map());
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };

  const flush = async () => {
    const batch = pending;
    pending = new Map();
    for (const [day, reasons] of batch) {
      try {
        await options.store.addRejections(reasons, day);
      } catch (error) {
        // Keep the counts for the next flush rather than lose them while the database is away.
        for (const [reason, n] of reasons) {
          let kept = pending.get(day);
          if (!kept) pending.set(day, kept = new Map());
          kept.set(reason, (kept.get(reason) ?? 0) + n);
        }
        log.warn(`could not store refused-callback counters (${(error as Error).message}); retrying later`);
      }
    }
  };

  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 5_000);
  timer.unref();

  return {
    limited(address) {
      if ((windowOf(address)?.n ?? 0) < perMinute) return false;
      count('rate_limited');
      return true;
    },
    refuse(address, reason) {
      count(reason);
      let entry = windowOf(address);
      if (!entry) {
        if (byAddress.size >= MAX_TRACKED) return;
        entry = { since: now(), n: 0 };
        byAddress.set(address, entry);
      }
      const n = ++entry.n;
      if (n <= LOGGED_PER_MINUTE) log.warn(`refused a WeCom callback from ${address}: ${reason}`);
      else if (n === perMinute) log.warn(`${address} was refused ${n} times this minute; answering 429 until the minute ends`);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
