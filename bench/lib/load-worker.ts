import { parentPort, workerData } from 'node:worker_threads';

/** What the load generator is given: pre-built requests and how many to keep in flight. */
export interface LoadJob {
  /** Absolute URLs (query included) and bodies, one per request. */
  requests: Array<{ url: string; body: string }>;
  concurrency: number;
}

/** What it reports back. */
export interface LoadReport {
  startedAt: number;
  finishedAt: number;
  /** Milliseconds per request, in request order. */
  latencies: number[];
  statuses: Record<string, number>;
  errors: string[];
}

/**
 * Sends every request with `concurrency` in flight, over keep-alive connections, and times each
 * from send to full response. It runs in a worker thread so the client's own work does not sit on
 * the API's event loop (the API runs in the main thread of the benchmark).
 */
async function run(job: LoadJob): Promise<LoadReport> {
  const latencies = new Array<number>(job.requests.length).fill(Number.NaN);
  const statuses: Record<string, number> = {};
  const errors: string[] = [];
  let next = 0;
  const startedAt = performance.timeOrigin + performance.now();
  const lane = async () => {
    while (next < job.requests.length) {
      const index = next++;
      const request = job.requests[index]!;
      const t0 = performance.now();
      try {
        const response = await fetch(request.url, { method: 'POST', body: request.body, headers: { 'content-type': 'text/xml; charset=utf-8' } });
        const text = await response.text();
        latencies[index] = performance.now() - t0;
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (response.status !== 200 && errors.length < 20) errors.push(`${response.status}: ${text.slice(0, 200)}`);
      } catch (error) {
        latencies[index] = performance.now() - t0;
        statuses.network = (statuses.network ?? 0) + 1;
        if (errors.length < 20) errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  return { startedAt, finishedAt: performance.timeOrigin + performance.now(), latencies, statuses, errors };
}

if (parentPort) parentPort.postMessage(await run(workerData as LoadJob));
