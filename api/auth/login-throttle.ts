import type { EntityManager } from '@mikro-orm/postgresql';

/** Whether one sign-in attempt may go on to the password check, and how to give its slot back. */
export type AttemptReservation =
  | { allowed: true; retryAfterMs: 0 }
  | { allowed: false; retryAfterMs: number };

/** Limits of the throttle; defaults: 5 attempts per username and 30 per address per 15 minutes. */
export interface LoginThrottleOptions {
  perUsername?: number;
  perAddress?: number;
  windowMs?: number;
}

/**
 * Sign-in attempts per username and per client address, counted in PostgreSQL (`login_attempts`)
 * so the limits hold across every API process. An attempt is *reserved* — its counter incremented
 * by one atomic upsert — before the password is hashed: 40 parallel guesses each take their own
 * number, and only those numbered within the limit reach scrypt. A successful sign-in gives the
 * username's attempts back. A key's window opens with its first attempt and lasts `windowMs`.
 */
export class LoginThrottle {
  readonly perUsername: number;
  readonly perAddress: number;
  readonly windowMs: number;
  readonly #em: () => EntityManager;

  /** `em` opens a fork per call; the counters live in the database, not in this object. */
  constructor(em: () => EntityManager, options: LoginThrottleOptions = {}) {
    this.#em = em;
    this.perUsername = options.perUsername ?? 5;
    this.perAddress = options.perAddress ?? 30;
    this.windowMs = options.windowMs ?? 15 * 60 * 1000;
  }

  /**
   * Takes one attempt for `username` (lower-cased) from `ip`; refused once either counter passes
   * its limit in its window. Without an address (no socket: in-process requests) only the
   * username is counted.
   */
  async reserve(username: string, ip: string | null, now = Date.now()): Promise<AttemptReservation> {
    const rows: Array<[string, string]> = [['user', username.toLowerCase().slice(0, 255)]];
    if (ip) rows.push(['ip', ip.slice(0, 255)]);
    const values = rows.map(() => '(?, ?, ?, 1)').join(', ');
    const expired = new Date(now - this.windowMs);
    // ON CONFLICT locks the row: concurrent attempts on one key are numbered one after another.
    const counts = await this.#em().getConnection().execute<Array<{ scope: string; count: number; window_start: Date }>>(
      `insert into login_attempts as a (scope, key, window_start, count) values ${values}
       on conflict (scope, key) do update set
         count = case when a.window_start <= ? then 1 else a.count + 1 end,
         window_start = case when a.window_start <= ? then excluded.window_start else a.window_start end
       returning scope, count, window_start`,
      [...rows.flatMap(([scope, key]) => [scope, key, new Date(now)]), expired, expired]);
    const over = counts.filter((row) => row.count > (row.scope === 'user' ? this.perUsername : this.perAddress));
    if (over.length === 0) return { allowed: true, retryAfterMs: 0 };
    const retryAfterMs = Math.max(...over.map((row) => new Date(row.window_start).getTime() + this.windowMs - now));
    return { allowed: false, retryAfterMs: Math.max(retryAfterMs, 1000) };
  }

  /** After a successful sign-in: the username's attempts and this one address attempt are given back. */
  async succeeded(username: string, ip: string | null): Promise<void> {
    const connection = this.#em().getConnection();
    await connection.execute(`delete from login_attempts where scope = 'user' and key = ?`, [username.toLowerCase().slice(0, 255)]);
    if (ip) await connection.execute(`update login_attempts set count = greatest(count - 1, 0) where scope = 'ip' and key = ?`, [ip.slice(0, 255)]);
  }

  /** Drops counters of windows that have ended, so a spray of random usernames does not grow the table forever. */
  async purgeExpired(now = Date.now()): Promise<void> {
    await this.#em().getConnection().execute(`delete from login_attempts where window_start <= ?`, [new Date(now - this.windowMs)]);
  }
}
