import type { CallbackInboxStore, InboxDelivery, InboxWriteResult } from '../../db/callback-inbox.store.ts';

/** Writes deliveries to the inbox; resolves once the row is committed. */
export interface InboxWriter {
  write(delivery: InboxDelivery, leaseSeconds: number): Promise<InboxWriteResult>;
}

type Waiting = { delivery: InboxDelivery; resolve: (result: InboxWriteResult) => void; reject: (error: unknown) => void };

/**
 * Group commit: while one statement is in flight, the deliveries that arrive queue up and go in
 * the next statement together (up to `maxBatch`). An idle endpoint writes each delivery at once; a
 * burst shares commits instead of waiting for one fsync each.
 */
export function createInboxWriter(store: Pick<CallbackInboxStore, 'write'>, options: { maxBatch?: number; concurrency?: number } = {}): InboxWriter {
  const maxBatch = options.maxBatch ?? 200;
  const concurrency = options.concurrency ?? 2;
  const queues = new Map<number, Waiting[]>();
  let inFlight = 0;

  const pump = () => {
    while (inFlight < concurrency) {
      const entry = [...queues.entries()].find(([, waiting]) => waiting.length > 0);
      if (!entry) return;
      const [leaseSeconds, waiting] = entry;
      // Served last from now on: with the onboarding window full, rows with and without a lease both
      // arrive all the time, and the first queue must not starve the other (acks waited a minute).
      queues.delete(leaseSeconds);
      queues.set(leaseSeconds, waiting);
      const batch = waiting.splice(0, maxBatch);
      inFlight += 1;
      store.write(batch.map((w) => w.delivery), leaseSeconds)
        .then((results) => batch.forEach((w, i) => w.resolve(results[i]!)), (error: unknown) => batch.forEach((w) => w.reject(error)))
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };

  return {
    write(delivery, leaseSeconds) {
      return new Promise<InboxWriteResult>((resolve, reject) => {
        let waiting = queues.get(leaseSeconds);
        if (!waiting) queues.set(leaseSeconds, waiting = []);
        waiting.push({ delivery, resolve, reject });
        pump();
      });
    },
  };
}
