import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { openMeteoWeather, simulatedWeather, type WeatherProvider } from './activities/triggers/weather.ts';
import { MAIN_TASK_QUEUE } from './common/task-queues.ts';
import { lazyWeComApi } from './activities/wecom-access.ts';
import { decodeSecretKey, loadConfig, requireForServices, runEntryPoint } from './config.ts';
import { openOrm, type MikroORM } from './db/orm.ts';
import { SecretBox } from './db/secret-box.ts';

/** Path of the workflow entry the worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** A worker and what must be closed after it stops. */
export interface RunnableWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** Wires a worker for the product's task queue: database, Temporal, and WeCom (or the simulator). */
export async function createWorker(options: {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  /** APP_SECRET_KEY's 32 bytes: activities open the sealed WeCom secrets with it. */
  secretKey: Buffer;
  wecomApiBase: string;
  taskQueue?: string;
  orm?: MikroORM;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Public address for tracked links in messages (PUBLIC_URL). */
  publicUrl?: string;
  /** automations: the journeys' weather trigger (WEATHER_PROVIDER); simulated when absent. */
  weather?: WeatherProvider;
}): Promise<RunnableWorker> {
  installRuntimeLogger(options.logLevel ?? 'warn');
  const orm = options.orm ?? (await openOrm(options.databaseUrl));
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? MAIN_TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({
      orm,
      wecom: lazyWeComApi({ orm, box: new SecretBox(options.secretKey), apiBase: options.wecomApiBase }),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.weather ? { weather: options.weather } : {}),
    }),
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

/**
 * The SDK logs every bundled module at INFO; keep the worker's output to what an operator needs.
 * The runtime can be installed once per process, so later calls keep the first logger.
 */
function installRuntimeLogger(level: 'debug' | 'info' | 'warn' | 'error'): void {
  try {
    Runtime.install({ logger: new DefaultLogger(level === 'debug' ? 'DEBUG' : level === 'error' ? 'ERROR' : 'WARN') });
  } catch {
    // Already installed in this process (tests start several workers).
  }
}

if (import.meta.main) {
  await runEntryPoint(async () => {
    const config = loadConfig();
    requireForServices(config, 'worker');
    const { worker, close } = await createWorker({
      databaseUrl: config.DATABASE_URL!,
      temporalAddress: config.TEMPORAL_ADDRESS!,
      namespace: config.TEMPORAL_NAMESPACE,
      secretKey: decodeSecretKey(config.APP_SECRET_KEY!)!,
      wecomApiBase: config.WECOM_API_BASE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      logLevel: config.LOG_LEVEL,
      publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
      weather: config.WEATHER_PROVIDER === 'open-meteo'
        ? openMeteoWeather({ latitude: config.WEATHER_LATITUDE, longitude: config.WEATHER_LONGITUDE })
        : simulatedWeather(),
    });
    console.log(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
    await worker.run();
    await close();
  });
}
