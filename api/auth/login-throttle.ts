/**
 * Failed sign-ins per username + client IP, in memory: after `limit` failures within `windowMs`
 * further attempts are refused until the oldest failure leaves the window. In memory is enough for
 * one API process; several API processes each count separately (a documented limit).
 */
export class LoginThrottle {
  readonly limit: number;
  readonly windowMs: number;
  readonly #failures = new Map<string, number[]>();

  /** Defaults: 5 failures per 15 minutes. */
  constructor(options: { limit?: number; windowMs?: number } = {}) {
    this.limit = options.limit ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60 * 1000;
  }

  /** The key of one username (case-insensitive) from one address. */
  static key(username: string, ip: string | null): string {
    return `${username.toLowerCase()}\u0000${ip ?? 'unknown'}`;
  }

  #recent(key: string, now: number): number[] {
    const recent = (this.#failures.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, recent);
    return recent;
  }

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfterMs(key: string, now = Date.now()): number {
    const recent = this.#recent(key, now);
    if (recent.length < this.limit) return 0;
    return recent[recent.length - this.limit]! + this.windowMs - now;
  }

  /** Counts one failed attempt. */
  recordFailure(key: string, now = Date.now()): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    this.#failures.set(key, recent);
    // Bound memory under a spray of random usernames: forget the oldest keys first.
    if (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value!);
  }

  /** Forgets the failures of `key` (after a successful sign-in). */
  reset(key: string): void {
    this.#failures.delete(key);
  }
}
