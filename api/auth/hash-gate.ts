import { AppError } from '../errors.ts';

/** Limits of the gate: how many hashes run at once, and how many may wait for a turn. */
export interface HashGateOptions {
  concurrency?: number;
  maxWaiting?: number;
}

/**
 * A small semaphore around password hashing. Each scrypt takes ~32 MiB and tens of milliseconds of
 * a core; without a bound, a burst of sign-ins (or password changes) exhausts memory and stalls
 * every other request. Beyond `concurrency` running and `maxWaiting` queued, callers get 503.
 */
export class HashGate {
  readonly concurrency: number;
  readonly maxWaiting: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  /** How many hashes have been let through since start (what the sign-in tests count). */
  entered = 0;

  /** Defaults: 2 at once (the machine's cores), 16 waiting. */
  constructor(options: HashGateOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.maxWaiting = options.maxWaiting ?? 16;
  }

  /** Runs `hash` when a slot is free; 503 `busy` when the queue is full. */
  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.maxWaiting) {
        throw new AppError(503, 'busy', 'Too many sign-ins at once; try again in a few seconds.');
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    this.entered += 1;
    try {
      return await hash();
    } finally {
      // Hand the slot straight to the next waiter (the running count stays), or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }
}
