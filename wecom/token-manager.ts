import type { TokenProvider } from './client.ts';
import type { FetchedToken } from './api/token.ts';

/** A token as persisted: shared by every process of the product. */
export type StoredToken = { token: string; expiresAt: Date };

/** Where the token lives; the database implementation sits outside wecom/. */
export interface TokenStore {
  /** The current token, or null when none was ever stored. */
  read(): Promise<StoredToken | null>;
  /** Runs `fn` while holding a lock shared by all processes (e.g. a PostgreSQL advisory lock). */
  withRefreshLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Replaces the stored token. */
  write(token: StoredToken): Promise<void>;
}

/** Options of TokenManager. */
export type TokenManagerOptions = {
  store: TokenStore;
  /** Calls gettoken; see fetchAccessToken. */
  fetchToken: () => Promise<FetchedToken>;
  /** Refresh this long before expiry; default 60 s. */
  refreshMarginMs?: number;
  /** Clock, for tests. */
  now?: () => number;
};

/**
 * TokenProvider over a shared TokenStore. gettoken is called only when the stored token is about to
 * expire or was rejected: concurrent callers in a process share one refresh, and processes serialise
 * theirs on the store's lock and re-read before refreshing, so one refresh serves everyone.
 */
export class TokenManager implements TokenProvider {
  readonly #store: TokenStore;
  readonly #fetchToken: () => Promise<FetchedToken>;
  readonly #marginMs: number;
  readonly #now: () => number;
  #cached: StoredToken | null = null;
  #inflight: Promise<string> | null = null;

  constructor(options: TokenManagerOptions) {
    this.#store = options.store;
    this.#fetchToken = options.fetchToken;
    this.#marginMs = options.refreshMarginMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Returns a token valid for at least the refresh margin, refreshing when needed. */
  async getToken(opts: { forceRefresh?: boolean; rejectedToken?: string } = {}): Promise<string> {
    const force = opts.forceRefresh === true;
    if (!force && this.#cached && this.#isFresh(this.#cached)) return this.#cached.token;

    // Join a refresh already under way (its failure is shared: N waiters must not become N gettoken
    // calls). It may have started before this caller's token was rejected, so check what it returns.
    for (let current = this.#inflight; current !== null; current = this.#inflight) {
      const token = await current;
      if (!force || (opts.rejectedToken !== undefined && token !== opts.rejectedToken)) return token;
      // A forced refresh without a rejected token trusts nothing stored: run one of its own.
      if (opts.rejectedToken === undefined) break;
    }
    const flight = this.#refresh(force ? { rejected: opts.rejectedToken } : null).finally(() => {
      if (this.#inflight === flight) this.#inflight = null;
    });
    this.#inflight = flight;
    return flight;
  }

  #isFresh(stored: StoredToken): boolean {
    return stored.expiresAt.getTime() - this.#now() > this.#marginMs;
  }

  /** Whether a stored token may be used: fresh, and not the one a caller saw rejected. */
  #usable(stored: StoredToken | null, force: { rejected: string | undefined } | null): stored is StoredToken {
    if (stored === null || !this.#isFresh(stored)) return false;
    if (force === null) return true;
    // A forced refresh without a rejected token means "whatever is stored is bad".
    return force.rejected !== undefined && stored.token !== force.rejected;
  }

  async #refresh(force: { rejected: string | undefined } | null): Promise<string> {
    // Another process may already have refreshed: a plain read avoids taking the lock at all.
    const seen = await this.#store.read();
    if (this.#usable(seen, force)) return this.#remember(seen);
    return this.#store.withRefreshLock(async () => {
      const current = await this.#store.read();
      if (this.#usable(current, force)) return this.#remember(current);
      const fetched = await this.#fetchToken();
      const stored = { token: fetched.accessToken, expiresAt: new Date(this.#now() + fetched.expiresInSeconds * 1000) };
      await this.#store.write(stored);
      return this.#remember(stored);
    });
  }

  #remember(stored: StoredToken): string {
    this.#cached = stored;
    return stored.token;
  }
}

/** A TokenStore in memory, for tests and single-process tools; the lock is an in-process mutex. */
export class InMemoryTokenStore implements TokenStore {
  #token: StoredToken | null;
  #lock: Promise<void> = Promise.resolve();

  constructor(initial: StoredToken | null = null) {
    this.#token = initial;
  }

  /** Returns the stored token. */
  async read(): Promise<StoredToken | null> {
    return this.#token;
  }

  /** Replaces the stored token. */
  async write(token: StoredToken): Promise<void> {
    this.#token = token;
  }

  /** Runs `fn` after every earlier holder has finished. */
  async withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#lock;
    let release!: () => void;
    this.#lock = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
