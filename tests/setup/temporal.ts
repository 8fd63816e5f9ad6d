import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createWorker, type RunnableWorker, type WorkerLimits } from '../../worker.ts';
import type { MikroORM } from '../../db/orm.ts';

/** The APP_SECRET_KEY of test workers started without one; clients talking to them need it to encrypt. */
export const TEST_WORKER_SECRET_KEY = Buffer.alloc(32, 7);

/** A real worker running in the test process on its own task queues (realtime `taskQueue` and its bulk sibling), so test files never share one. */
export interface RunningTestWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/** Starts the product's worker (the run's prebuilt bundle, real activities) against the test Temporal server. */
export async function startTestWorker(
  orm: MikroORM,
  databaseUrl: string,
  wecom: { secretKey: Buffer; apiBase: string } = { secretKey: TEST_WORKER_SECRET_KEY, apiBase: 'http://127.0.0.1:9' },
  taskQueue = `test-${randomBytes(4).toString('hex')}`,
  namespace = 'default',
  options: { limits?: WorkerLimits; temporalAddress?: string } = {},
): Promise<RunningTestWorker> {
  const runnable: RunnableWorker = await createWorker({
    databaseUrl,
    temporalAddress: options.temporalAddress ?? inject('temporalAddress'),
    namespace,
    taskQueue,
    orm,
    secretKey: wecom.secretKey,
    wecomApiBase: wecom.apiBase,
    workflowBundlePath: inject('workflowBundlePath'),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const running = runnable.run();
  return {
    taskQueue,
    async stop() {
      runnable.shutdown();
      await running;
      await runnable.close();
    },
  };
}
