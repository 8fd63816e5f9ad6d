import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { MAIN_TASK_QUEUE } from './common/task-queues.ts';
import { loadConfig, requireForServices, runEntryPoint } from './config.ts';
import { openOrm, type MikroORM } from './db/orm.ts';

/** Path of the workflow entry the worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** A worker and what must be closed after it stops. */
export interface RunnableWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** Wires a worker for the product's task queue from a database URL and a Temporal address. */
export async function createWorker(options: {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  taskQueue?: string;
  orm?: MikroORM;
}): Promise<RunnableWorker> {
  const orm = options.orm ?? (await openOrm(options.databaseUrl));
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? MAIN_TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ orm }),
    // Stop on Ctrl-C/SIGTERM after in-flight activities get a moment to finish.
    shutdownGraceTime: '10 seconds',
  });
  return {
    worker,
    async close() {
      await connection.close();
      if (!options.orm) await orm.close();
    },
  };
}

if (import.meta.main) {
  await runEntryPoint(async () => {
    const config = loadConfig();
    requireForServices(config, 'worker');
    const { worker, close } = await createWorker({
      databaseUrl: config.DATABASE_URL!,
      temporalAddress: config.TEMPORAL_ADDRESS!,
      namespace: config.TEMPORAL_NAMESPACE,
    });
    console.log(`worker polling task queue ${MAIN_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
    await worker.run();
    await close();
  });
}
