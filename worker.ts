import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { openMeteoWeather, simulatedWeather, type WeatherProvider } from './activities/triggers/weather.ts';
import { MAIN_TASK_QUEUE } from './common/task-queues.ts';
import { lazyWeComApi } from './activities/wecom-access.ts';
import { decodeSecretKey, loadConfig, requireForServices, runEntryPoint } from './config.ts';
import { openOrm, type MikroORM } from './db/orm.ts';
import { SecretBox } from './db/secret-box.ts';
import { failureInterceptor } from './activities/failure-interceptor.ts';
import { encryptedDataConverter, payloadCodec } from './encryption/data-converter.ts';
import { createLogger, setLogLevel } from './logging/logger.ts';
import { redactingTemporalLogger } from './logging/temporal-logger.ts';
import { temporalConnectionSecurity, type TemporalConnectionSecurity } from './api/temporal/connection-security.ts';

/** Path of the workflow entry the worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** The script that bundles the workflows in a process of its own. */
const BUNDLE_SCRIPT = fileURLToPath(new URL('./scripts/bundle-workflows.ts', import.meta.url));

/**
 * Bundles the workflows in a short-lived child process and answers the bundle's path. Bundling
 * in the worker (the SDK's default with `workflowsPath`) loads webpack into it, and those modules
 * and their heap stay for the worker's life; this keeps a worker sending 100,000 messages under
 * 400 MB RSS without capping its heap (bench/campaign-send.ts).
 */
export async function bundleWorkflowsApart(): Promise<string> {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'clinic-workflows-')), 'workflow-bundle.js');
  await promisify(execFile)(process.execPath, [BUNDLE_SCRIPT, out], { maxBuffer: 1024 * 1024 });
  return out;
}

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
  /** APP_SECRET_KEY_PREVIOUS during a key rotation: payloads written under it still decode. */
  previousSecretKey?: Buffer | null;
  wecomApiBase: string;
  taskQueue?: string;
  orm?: MikroORM;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** TLS / API key for a Temporal cluster outside a private network (TEMPORAL_TLS*, TEMPORAL_API_KEY). */
  temporalSecurity?: TemporalConnectionSecurity;
  /** Public address for tracked links in messages (PUBLIC_URL). */
  publicUrl?: string;
  /** automations: the journeys' weather trigger (WEATHER_PROVIDER); simulated when absent. */
  weather?: WeatherProvider;
  /** A prebuilt workflow bundle (`bundleWorkflowsApart`); without it the SDK bundles in this process. */
  workflowBundlePath?: string;
}): Promise<RunnableWorker> {
  installRuntimeLogger(options.logLevel ?? 'warn');
  const orm = options.orm ?? (await openOrm(options.databaseUrl));
  const connection = await NativeConnection.connect({ address: options.temporalAddress, ...options.temporalSecurity });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? MAIN_TASK_QUEUE,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({
      orm,
      wecom: lazyWeComApi({ orm, box: new SecretBox(options.secretKey, [options.previousSecretKey]), apiBase: options.wecomApiBase }),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.weather ? { weather: options.weather } : {}),
    }),
    // Histories hold ciphertext only (payloads, failure messages and stacks), and an activity's
    // error leaves the worker as a plain, redacted ApplicationFailure.
    dataConverter: encryptedDataConverter(payloadCodec({ current: options.secretKey, previous: options.previousSecretKey ?? null })),
    interceptors: { activity: [failureInterceptor] },
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
 * The SDK's, the workflows' and the native core's logs go through the product's redacting logger.
 * The SDK logs every bundled module at INFO; keep the worker's output to what an operator needs.
 * The runtime can be installed once per process, so later calls keep the first logger.
 */
function installRuntimeLogger(level: 'debug' | 'info' | 'warn' | 'error'): void {
  try {
    Runtime.install({
      logger: redactingTemporalLogger(level === 'debug' || level === 'error' ? level : 'warn'),
      telemetryOptions: { logging: { forward: {}, filter: { core: level === 'debug' ? 'DEBUG' : 'WARN', other: 'ERROR' } } },
    });
  } catch {
    // Already installed in this process (tests start several workers).
  }
}

if (import.meta.main) {
  await runEntryPoint(async () => {
    const config = loadConfig();
    setLogLevel(config.LOG_LEVEL);
    requireForServices(config, 'worker');
    const workflowBundlePath = await bundleWorkflowsApart();
    const { worker, close } = await createWorker({
      databaseUrl: config.DATABASE_URL!,
      temporalAddress: config.TEMPORAL_ADDRESS!,
      namespace: config.TEMPORAL_NAMESPACE,
      secretKey: decodeSecretKey(config.APP_SECRET_KEY!)!,
      previousSecretKey: config.APP_SECRET_KEY_PREVIOUS ? decodeSecretKey(config.APP_SECRET_KEY_PREVIOUS) : null,
      wecomApiBase: config.WECOM_API_BASE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      logLevel: config.LOG_LEVEL,
      temporalSecurity: temporalConnectionSecurity(config),
      publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
      weather: config.WEATHER_PROVIDER === 'open-meteo'
        ? openMeteoWeather({ latitude: config.WEATHER_LATITUDE, longitude: config.WEATHER_LONGITUDE })
        : simulatedWeather(),
      workflowBundlePath,
    });
    // Worker.create has read the bundle; the file is no longer needed.
    rmSync(path.dirname(workflowBundlePath), { recursive: true, force: true });
    createLogger('worker').notice(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
    await worker.run();
    await close();
  });
}
