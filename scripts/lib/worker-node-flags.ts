/**
 * Node flags the worker process runs with, wherever it is started (npm run dev, npm run
 * start:worker, compose, tests that run `node worker.ts`, the benchmarks).
 *
 * `--experimental-async-context-frame`: AsyncLocalStorage (MikroORM's request context, the
 * activities' context) without promise hooks on every promise. Node 24 makes it the default; on
 * Node 22 it took 15 % of the worker's CPU per onboarding off a launch burst (bench/README.md).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--experimental-async-context-frame'];
