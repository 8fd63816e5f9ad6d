import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { openMeteoWeather, simulatedWeather, type WeatherProvider } from './activities/triggers/weather.ts';
import { MAIN_TASK_QUEUE, taskQueueFor, taskQueuesNamed, WORKLOADS, type TaskQueues, type Workload } from './common/task-queues.ts';
import { workflowIds } from './common/workflow-ids.ts';
import { lazyWeComApi } from './activities/wecom-access.ts';
import { decodeSecretKey, loadConfig, requireForServices, runEntryPoint } from './config.ts';
import { openOrm, type MikroORM } from './db/orm.ts';
import { SecretBox } from './db/secret-box.ts';
import { failureInterceptor } from './activities/failure-interceptor.ts';
import { encryptedDataConverter, FAILURE_CONVERTER_PATH, payloadCodec } from './encryption/data-converter.ts';
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

/**
 * A Worker that runs workflow code without Node's per-call VM timeout. The SDK passes its 5 s
 * deadlock timeout to every `vm` call into the workflow sandbox, and Node starts and joins a native
 * thread for each timed call (~0.2 ms, nodejs/node#47739); an onboarding makes about a hundred such
 * calls, which was 40 % of the workflow thread's time in a launch burst (bench/README.md). What is
 * given up: a workflow stuck in a synchronous loop is no longer failed after 5 s by the SDK; its
 * workflow task times out on the server instead (visible in the Temporal UI), and our workflows
 * hold no such loops (their code is small and every one runs in the tests).
 */
export class UntimedWorkflowWorker extends Worker {
  protected static override async createWorkflowCreator(...[bundle, options, logger]: Parameters<typeof Worker['createWorkflowCreator']>) {
    return super.createWorkflowCreator(bundle, { ...options, isolateExecutionTimeoutMs: undefined as unknown as number }, logger);
  }
}

/** The workers of one process (one per polled task queue) and what must be closed after they stop. */
export interface RunnableWorker {
  /** One worker per polled queue, in WORKLOADS order. */
  workers: Array<{ workload: Workload; taskQueue: string; worker: Worker }>;
  /** Runs every worker until all have stopped (after `shutdown`, or when one fails). */
  run(): Promise<void>;
  /** Asks every worker to stop. */
  shutdown(): void;
  close(): Promise<void>;
}

/** Limits of one process's workers; the defaults are config.ts's. */
export interface WorkerLimits {
  /** Bulk activities one worker runs at once (WORKER_BULK_ACTIVITY_CONCURRENCY). */
  bulkActivityConcurrency?: number;
  /** Bulk activities started per second across all workers, enforced by the server (WORKER_BULK_ACTIVITIES_PER_SECOND). */
  bulkActivitiesPerSecond?: number;
}

/**
 * The workflow bundle built in this process (tests, benchmarks), once: a worker per queue would
 * otherwise bundle (and hold) the same code twice. `node worker.ts` bundles in a child process.
 */
let bundle: Promise<{ code: string }> | null = null;
function workflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: Runtime.instance().logger })
    .catch((error: unknown) => { bundle = null; throw error; });
  return bundle;
}

/**
 * What each queue's worker may take on. The realtime queue keeps the SDK's generous defaults: its
 * work is one event at a time and the welcome must land inside WeCom's 20 s. The bulk queue is held
 * to few activities at once and a server-side rate for all its workers together, so a campaign or
 * a sync uses a bounded share of the process and of WeCom's quotas (10,000 calls/min per API per
 * corp, 20,000/min per IP — wecom-facts.md) and never starves the realtime queue's calls.
 */
function limitsFor(workload: Workload, limits: WorkerLimits) {
  if (workload === 'realtime') return {};
  return {
    maxConcurrentActivityTaskExecutions: limits.bulkActivityConcurrency ?? 10,
    maxTaskQueueActivitiesPerSecond: limits.bulkActivitiesPerSecond ?? 100,
    maxConcurrentWorkflowTaskExecutions: 10,
  };
}

/** Wires the product's workers: database, Temporal, and WeCom (or the simulator); one per task queue polled. */
export async function createWorker(options: {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  /** APP_SECRET_KEY's 32 bytes: activities open the sealed WeCom secrets with it. */
  secretKey: Buffer;
  /** APP_SECRET_KEY_PREVIOUS during a key rotation: payloads written under it still decode. */
  previousSecretKey?: Buffer | null;
  wecomApiBase: string;
  /** The realtime queue's name (TEMPORAL_TASK_QUEUE); the bulk queue's follows from it. */
  taskQueue?: string;
  /** Which queues to poll (WORKER_TASK_QUEUES); both by default. */
  workloads?: readonly Workload[];
  limits?: WorkerLimits;
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
  const queues = taskQueuesNamed(options.taskQueue ?? MAIN_TASK_QUEUE);
  // Histories hold ciphertext only (payloads, failure messages and stacks), and an activity's
  // error leaves the worker as a plain, redacted ApplicationFailure.
  const dataConverter = encryptedDataConverter(payloadCodec({ current: options.secretKey, previous: options.previousSecretKey ?? null }));
  const client = new Client({ connection, namespace: options.namespace, dataConverter });
  const activities = createActivities({
    orm,
    wecom: lazyWeComApi({ orm, box: new SecretBox(options.secretKey, [options.previousSecretKey]), apiBase: options.wecomApiBase }),
    trustedImageOrigins: [new URL(options.wecomApiBase).origin],
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.weather ? { weather: options.weather } : {}),
    wakeNoticeDigest: (staffUserid) => wakeNoticeDigest(client, queues, staffUserid),
  });
  const code = options.workflowBundlePath ? { codePath: options.workflowBundlePath } : await workflowBundle();
  const workloads = WORKLOADS.filter((workload) => (options.workloads ?? WORKLOADS).includes(workload));
  const workers = await Promise.all(workloads.map(async (workload) => ({
    workload,
    taskQueue: queues[workload],
    worker: await UntimedWorkflowWorker.create({
      connection,
      namespace: options.namespace,
      taskQueue: queues[workload],
      workflowBundle: code,
      activities,
      dataConverter,
      interceptors: { activity: [failureInterceptor] },
      ...limitsFor(workload, options.limits ?? {}),
      // Stop on Ctrl-C/SIGTERM after in-flight activities get a moment to finish.
      shutdownGraceTime: '10 seconds',
    }),
  })));
  return {
    workers,
    async run() {
      // One worker failing stops the others: the process exits and its supervisor restarts it whole.
      const runs = workers.map(({ worker }) => worker.run());
      try {
        await Promise.all(runs);
      } catch (error) {
        for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
        await Promise.allSettled(runs);
        throw error;
      }
    },
    shutdown() {
      for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
    async close() {
      await connection.close();
      if (!options.orm) await orm.close();
    },
  };
}

/**
 * Signals a staff member's notice digest workflow, starting it when none runs (signal-with-start:
 * a digest about to end still takes the signal and goes round once more, so no queued notice is
 * left without one).
 */
async function wakeNoticeDigest(client: Client, queues: TaskQueues, staffUserid: string): Promise<void> {
  await client.workflow.signalWithStart('staffNoticeDigestWorkflow', {
    workflowId: workflowIds.noticeDigest(staffUserid),
    taskQueue: taskQueueFor('staffNoticeDigestWorkflow', queues),
    args: [{ staffUserid }],
    signal: 'noticesQueued',
    signalArgs: [],
  });
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

/**
 * Lowers this process's CPU priority (WORKER_NICE). Where the worker shares a host with the API
 * (`npm run dev`, a single-server install), a launch burst's acknowledgements must not wait behind
 * its onboardings: an unacknowledged callback is retried by WeCom and then dropped, a late
 * onboarding only runs later. Alone in its container it changes nothing.
 */
function yieldCpuToTheEdge(niceness: number): void {
  try {
    // Linux keeps a niceness per thread: set the ones that exist (V8's helpers); later ones inherit it.
    const threads = existsSync('/proc/self/task') ? readdirSync('/proc/self/task').map(Number) : [0];
    for (const thread of threads) setPriority(thread, niceness);
  } catch (error) {
    createLogger('worker').warn(`could not set the worker's CPU niceness to ${niceness}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

if (import.meta.main) {
  await runEntryPoint(async () => {
    const config = loadConfig();
    setLogLevel(config.LOG_LEVEL);
    requireForServices(config, 'worker');
    yieldCpuToTheEdge(config.WORKER_NICE);
    const workflowBundlePath = await bundleWorkflowsApart();
    const runnable = await createWorker({
      databaseUrl: config.DATABASE_URL!,
      temporalAddress: config.TEMPORAL_ADDRESS!,
      namespace: config.TEMPORAL_NAMESPACE,
      secretKey: decodeSecretKey(config.APP_SECRET_KEY!)!,
      previousSecretKey: config.APP_SECRET_KEY_PREVIOUS ? decodeSecretKey(config.APP_SECRET_KEY_PREVIOUS) : null,
      wecomApiBase: config.WECOM_API_BASE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workloads: config.WORKER_TASK_QUEUES,
      limits: { bulkActivityConcurrency: config.WORKER_BULK_ACTIVITY_CONCURRENCY, bulkActivitiesPerSecond: config.WORKER_BULK_ACTIVITIES_PER_SECOND },
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
    const polled = runnable.workers.map(({ workload, taskQueue }) => `${taskQueue} (${workload})`).join(' and ');
    createLogger('worker').notice(`worker polling ${polled} on ${config.TEMPORAL_ADDRESS}`);
    await runnable.run();
    await runnable.close();
  });
}
