import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { CallbackInboxStore } from '../../db/callback-inbox.store.ts';
import { createLogger } from '../../logging/logger.ts';
import { parseCallbackEvent } from '../../wecom/events.ts';
import { routeCallbackEvent, type EventWorkflowStart } from '../temporal/event-router.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';

/** Starts the workflows of inbox rows: at once for the rows this process wrote, and as a relay for the rest. */
export interface InboxDispatcher {
  /**
   * How long the row of `start`, written now, is reserved for this process's own dispatch; 0 while
   * Temporal fails, or for an add event while the onboarding window is full (the relays take it).
   * Call `dispatch` for the row only when this was above 0.
   */
  leaseSeconds(start?: Pick<EventWorkflowStart, 'workflowType'> | null): number;
  /** Starts the workflow of a row this process just committed with a lease (never waits, never throws). */
  dispatch(inboxId: string, start: EventWorkflowStart): void;
  /** One relay pass: claims rows nobody holds and queues their starts; resolves with how many it claimed. */
  runOnce(): Promise<number>;
  /** Resolves when nothing is queued or starting (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Tuning of the dispatcher; the defaults suit one API process on two cores. */
export interface InboxDispatcherOptions {
  store: CallbackInboxStore;
  temporal: Pick<TemporalGateway, 'startEventWorkflow'>;
  /** Concurrent workflow starts. */
  concurrency?: number;
  leaseSeconds?: number;
  /** The safety-net poll, for rows whose lease ran out without a notification (a process died). */
  pollMs?: number;
  /** Rows claimed per relay pass. */
  claimBatch?: number;
  maxBackoffMs?: number;
  pruneEveryMs?: number;
  /** How long dispatched rows stay (WeCom's redeliveries come within seconds; the log keeps every delivery). */
  retentionSeconds?: number;
  /** LISTEN for rows any relay may take (off in tests that drive `runOnce` by hand). */
  listen?: boolean;
  /**
   * Admission control: add events started but not yet greeted, across all processes, beyond which
   * new add events wait in the inbox (claimed newest first as greetings free room). Infinity turns it off.
   */
  onboardingWindow?: number;
  /** Started add events older than this stop counting against the window (a stopped worker must not block admissions). */
  windowHorizonSeconds?: number;
  /** How often the relay looks for room while add events wait for the window. */
  windowPollMs?: number;
}

type Item = { id: string; start: EventWorkflowStart };

const log = createLogger('api');

const isAdd = (start: Pick<EventWorkflowStart, 'workflowType'> | null | undefined) => start?.workflowType === 'onboardCustomerWorkflow';

/** A start Temporal refuses for its content: retrying cannot help, an operator must look. */
function isInvalidArgument(error: unknown): boolean {
  const cause = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(cause) && cause.code === 3; // INVALID_ARGUMENT
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * The inbox's only consumer. Rows written by this process are started right after their commit
 * (scan → welcome stays fast when idle); the relay claims whatever else is pending (another process
 * died, Temporal was down) with short leases, FOR UPDATE SKIP LOCKED, woken by LISTEN/NOTIFY with a
 * slow poll behind it, and starts workflows outside any transaction. While Temporal fails it backs
 * off (1 s doubling to 30 s) and leaves new rows to the relays. A row Temporal refuses as invalid
 * goes to the dead-letter state with its reason; one bad row never holds up the others. Add events
 * go first, newest first: their WelcomeCode expires 20 s after the scan, so in a backlog the
 * freshest is the one a greeting can still reach.
 *
 * Admission control keeps scans made during a burst greeted within seconds: within one priority
 * Temporal runs workflows in the order they were started, so a burst started all at once puts
 * every later scan behind all of it. Only `onboardingWindow` add events may be started and not yet
 * greeted (counted in the inbox, across processes); the others wait in the inbox, where the relay
 * takes the newest first whenever greetings free room. An idle scan finds the window empty and is
 * started at once. Events whose WelcomeCode has died by then are still onboarded, once, their
 * welcome recorded as expired; the other event kinds are never held back.
 */
export function createInboxDispatcher(options: InboxDispatcherOptions): InboxDispatcher {
  const { store, temporal } = options;
  const concurrency = options.concurrency ?? 8;
  const lease = options.leaseSeconds ?? 30;
  const claimBatch = options.claimBatch ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const maxQueue = 5_000;
  const window = options.onboardingWindow ?? 24;
  const horizonSeconds = options.windowHorizonSeconds ?? 30;
  const windowPollMs = options.windowPollMs ?? 200;
  /** Add events started and not yet greeted: the inbox's count at the last relay pass, plus this process's admissions since. */
  let ungreeted = 0;
  let windowPassScheduled = false;
  const queues: [Item[], Item[]] = [[], []];
  let active = 0;
  let backoffMs = 0;
  let backoffUntil = 0;
  let stopped = false;
  let relaying: Promise<number> | null = null;
  let moreToClaim = false;
  let idleWaiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  let listener: { close(): Promise<void> } | null = null;
  let listenRetry: NodeJS.Timeout | null = null;

  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => { timers.delete(timer); fn(); }, ms);
    timer.unref();
    timers.add(timer);
  };
  const queued = () => queues[0].length + queues[1].length;
  const backingOff = () => Date.now() < backoffUntil;
  const warn = (message: string) => log.warn(`callback inbox: ${message}`);

  // Dispatched ids are marked in batches: one statement for many starts.
  let done: string[] = [];
  let flushing: Promise<void> | null = null;
  let flushScheduled = false;
  const flushDone = (): Promise<void> => {
    if (flushing || done.length === 0) return flushing ?? Promise.resolve();
    const ids = done;
    done = [];
    flushing = store.markDispatched(ids)
      .catch((error: unknown) => warn(`could not mark ${ids.length} rows dispatched (${describe(error)}); their leases run out and the relay finds them started`))
      .finally(() => { flushing = null; if (done.length > 0) void flushDone(); else settle(); });
    return flushing;
  };

  const settle = () => {
    if (active === 0 && queued() === 0 && done.length === 0 && !flushing && !relaying) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  };

  const enterBackoff = (error: unknown, failed: string) => {
    const fresh = !backingOff();
    if (fresh) {
      backoffMs = Math.min(maxBackoffMs, Math.max(1_000, backoffMs * 2));
      backoffUntil = Date.now() + backoffMs;
      warn(`Temporal refused a start (${describe(error)}); retrying in ${backoffMs / 1000} s, events stay in the inbox`);
      later(() => void runOnce(), backoffMs);
    }
    // Everything this process holds goes back to the relays (of any process), to be started later.
    const ids = [failed, ...queues[0].splice(0), ...queues[1].splice(0)].map((item) => (typeof item === 'string' ? item : item.id));
    void store.release(ids, `Temporal unavailable: ${describe(error)}`).catch(() => undefined);
  };

  const startOne = async (item: Item) => {
    try {
      await temporal.startEventWorkflow(item.start);
      backoffMs = 0;
      done.push(item.id);
      if (done.length >= 100) void flushDone();
      else if (!flushScheduled) {
        flushScheduled = true;
        later(() => { flushScheduled = false; void flushDone(); }, 20);
      }
    } catch (error) {
      if (isInvalidArgument(error)) {
        warn(`row ${item.id} (${item.start.workflowId}) can never start: ${describe(error)}; moved to the dead letters`);
        await store.markDead(item.id, `Temporal refused the start: ${describe(error)}`).catch(() => undefined);
      } else {
        enterBackoff(error, item.id);
      }
    }
  };

  const drain = () => {
    while (!stopped && active < concurrency && !backingOff()) {
      // Newest add event first (its WelcomeCode has the most life left), the other events in order.
      const item = queues[0].pop() ?? queues[1].shift();
      if (!item) break;
      active += 1;
      void startOne(item).finally(() => {
        active -= 1;
        drain();
      });
    }
    if (queued() === 0 && active === 0) {
      if (moreToClaim && !backingOff()) void runOnce();
      settle();
    }
  };

  /** Add events form a stack (newest on top); a claimed row is older than any this process wrote since, so it goes beneath. */
  const enqueue = (item: Item, claimed = false) => {
    if (item.start.workflowType !== 'onboardCustomerWorkflow') queues[1].push(item);
    else if (claimed) queues[0].unshift(item);
    else queues[0].push(item);
  };

  /** Add events wait for room in the window: look again shortly (one timer however many wait). */
  const scheduleWindowPass = () => {
    if (windowPassScheduled || stopped) return;
    windowPassScheduled = true;
    later(() => { windowPassScheduled = false; void runOnce(); }, windowPollMs);
  };

  /** Room in the onboarding window, from the inbox's count (every process's admissions). */
  let countedAt = 0;
  const admissionRoom = async (): Promise<number> => {
    if (!Number.isFinite(window)) return claimBatch;
    // In a burst every write wakes the relay: count at most every half poll, the estimate serves between.
    if (Date.now() - countedAt < windowPollMs / 2) return Math.max(0, window - ungreeted);
    countedAt = Date.now();
    const before = ungreeted;
    const counted = await store.ungreetedAdds(horizonSeconds);
    // Admissions made while the count ran may not be in it yet: keep them counted.
    ungreeted = counted + Math.max(0, ungreeted - before);
    return Math.max(0, window - ungreeted);
  };

  const claimRows = async (): Promise<number> => {
    if (stopped || backingOff()) return 0;
    if (queued() >= concurrency * 4) {
      moreToClaim = true;
      return 0;
    }
    const room = await admissionRoom();
    const rows = await store.claim(claimBatch, lease, Math.min(room, claimBatch));
    moreToClaim = rows.length === claimBatch;
    let adds = 0;
    for (const row of rows) {
      let start: EventWorkflowStart | null;
      try {
        start = routeCallbackEvent(parseCallbackEvent(row.rawXml));
      } catch (error) {
        start = null;
        await store.markDead(row.id, `The stored event cannot be read: ${describe(error)}`);
        continue;
      }
      if (!start) await store.markDead(row.id, 'No workflow handles this event');
      else {
        if (isAdd(start)) adds += 1;
        enqueue({ id: row.id, start }, true);
      }
    }
    if (Number.isFinite(window)) {
      ungreeted += adds;
      // The window took all it had room for: more add events may be waiting for the next greetings.
      if (adds >= room) scheduleWindowPass();
    }
    drain();
    return rows.length;
  };

  const runOnce = (): Promise<number> => {
    relaying ??= claimRows()
      .catch((error: unknown) => { warn(`relay pass failed (${describe(error)})`); return 0; })
      .finally(() => { relaying = null; settle(); });
    return relaying;
  };

  const listen = async () => {
    listenRetry = null;
    if (stopped) return;
    const relisten = () => { if (!stopped && !listenRetry) { listenRetry = setTimeout(() => void listen(), 5_000); listenRetry.unref(); } };
    try {
      let wake: NodeJS.Timeout | null = null;
      listener = await store.listen(() => {
        // Many notifications in a burst make one relay pass; while the window is full, one per window poll
        // (a pass a write would otherwise cost the acknowledgements' commits a query each).
        wake ??= setTimeout(() => { wake = null; void runOnce(); }, ungreeted >= window ? windowPollMs : 20);
      }, relisten);
      void runOnce();
    } catch {
      relisten();
    }
  };

  const poll = setInterval(() => void runOnce(), options.pollMs ?? 10_000);
  poll.unref();
  const retentionSeconds = options.retentionSeconds ?? 3_600;
  const prune = setInterval(() => {
    store.prune(retentionSeconds).catch((error: unknown) => warn(`pruning failed (${describe(error)})`));
  }, options.pruneEveryMs ?? 60_000);
  prune.unref();
  if (options.listen !== false) void listen();

  return {
    leaseSeconds(start) {
      if (backingOff()) return 0;
      if (!isAdd(start) || !Number.isFinite(window)) return lease;
      if (ungreeted < window) {
        ungreeted += 1;
        return lease;
      }
      // The window is full: the row goes to the relays, which start it (newest first) as room frees.
      scheduleWindowPass();
      return 0;
    },
    dispatch(inboxId, start) {
      // Over the queue's cap (or when Temporal failed since the lease) the row waits for its lease to end and a relay takes it.
      if (stopped || backingOff() || queued() >= maxQueue) return;
      enqueue({ id: inboxId, start });
      drain();
    },
    runOnce,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      clearInterval(prune);
      if (listenRetry) clearTimeout(listenRetry);
      timers.forEach((timer) => clearTimeout(timer));
      await listener?.close();
      // What this process holds but has not started goes back to the other processes' relays.
      const held = [...queues[0].splice(0), ...queues[1].splice(0)].map((item) => item.id);
      await store.release(held, 'the API process holding it stopped').catch(() => undefined);
      await relaying?.catch(() => undefined);
      while (active > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await flushDone();
    },
  };
}
