import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { RequestContext } from '@mikro-orm/core';
import pg from 'pg';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { createApp } from '../../api/app.ts';
import { createTemporalGateway, type TemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../../api/wework/callback-credentials.ts';
import { createCallbackInbox, type CallbackInbox } from '../../api/wework/callback-inbox.ts';
import { migrateToLatest, openOrm, type MikroORM } from '../../db/orm.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { makeEnterable, startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { CallbackCrypto } from '../../wecom/callback-crypto.ts';
import { WORKER_NODE_FLAGS } from '../../scripts/lib/worker-node-flags.ts';

/** The product's parts started for a benchmark: throw-away PostgreSQL and Temporal, the API over HTTP. */
export interface BenchEnv {
  apiUrl: string;
  databaseUrl: string;
  orm: MikroORM;
  temporalAddress: string;
  /** The dev server's process id, to read its CPU time. */
  readonly temporalPid: number | undefined;
  /** CPU seconds the embedded PostgreSQL has used so far (every backend). */
  databaseCpuSeconds(): number;
  /** Stops the dev server (SIGTERM), as an outage. */
  stopTemporal(): Promise<void>;
  /** Starts it again on the same port (and, with `asDev`, the same SQLite file). */
  startTemporal(): Promise<void>;
  temporal: TemporalGateway;
  inbox: CallbackInbox;
  taskQueue: string;
  secretKey: Buffer;
  /** The product's callback crypto for the simulator's demo corp: builds deliveries as WeCom does. */
  crypto: CallbackCrypto;
  stop(): Promise<void>;
}

/** Prints a progress line on stderr, so stdout keeps only the results. */
export function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/**
 * Starts embedded PostgreSQL (migrated), an in-memory Temporal dev server and the API app over
 * HTTP — the same wiring as api/server.ts and tests/setup/product.ts, without vitest — with WeCom
 * configured for the simulator's demo corp. No worker runs unless the benchmark starts one.
 */
export async function startBenchEnv(options: { asDev?: boolean } = {}): Promise<BenchEnv> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-'));
  makeEnterable(root);
  // asDev: Temporal's history in a SQLite file with npm run dev's pragmas; otherwise in memory, unsynced.
  const temporalOptions = options.asDev ? { dbFilename: path.join(root, 'temporal.sqlite'), devSqlite: true } : { fastSqlite: true };
  const temporalPort = await freePort();
  let [database, temporalServer] = await Promise.all([
    (async () => startEmbeddedPostgres({
      dataDir: path.join(root, 'postgres'), port: await freePort(), database: 'clinic_bench',
      ...(process.env.BENCH_SQL_STATS ? { settings: { shared_preload_libraries: 'pg_stat_statements' } } : {}),
    }))(),
    startTemporalDevServer({ port: temporalPort, ...temporalOptions }),
  ]);
  const orm = await openOrm(database.url, { poolMax: 20 });
  await migrateToLatest(orm);

  const secretKey = randomBytes(32);
  const box = new SecretBox(secretKey);
  await saveWeworkCredentials(orm.em.fork(), box, {
    corpId: DEMO_OPTIONS.corpId, corpSecret: DEMO_OPTIONS.corpSecret, agentId: DEMO_OPTIONS.agentId,
    token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
  });
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const temporal = createTemporalGateway({ address: temporalServer.address, namespace: 'default', taskQueue, payloadKeys: { current: secretKey } });
  const inbox = createCallbackInbox({ databaseUrl: database.url, temporal });
  const app = createApp({
    em: () => orm.em.fork(), temporal, callbackInbox: inbox, temporalUiUrl: null, version: 'bench', dashboardDist: path.join(root, 'no-dashboard'),
    secureCookies: false, callbackCrypto: createCallbackCryptoSource({ em: () => orm.em.fork(), box }),
    // Benchmarks drive the callback path only; dashboard routes that call WeCom are not exercised.
    box, wecomApiBase: 'http://127.0.0.1:9', wecom: () => createWeComAccess({ orm, box, apiBase: 'http://127.0.0.1:9' }),
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (request, env) => RequestContext.create(orm.em, () => app.fetch(request, env)), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    databaseUrl: database.url,
    orm,
    temporalAddress: temporalServer.address,
    get temporalPid() { return temporalServer.process.pid; },
    databaseCpuSeconds: () => postgresCpuSeconds(path.join(root, 'postgres')),
    async stopTemporal() {
      await temporalServer.stop();
    },
    async startTemporal() {
      temporalServer = await startTemporalDevServer({ port: temporalPort, ...temporalOptions });
    },
    temporal,
    inbox,
    taskQueue,
    secretKey,
    crypto: new CallbackCrypto({ token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey, receiveId: DEMO_OPTIONS.corpId }),
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inbox.close();
      await temporal.close();
      await orm.close();
      await temporalServer.stop();
      await database.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * `node worker.ts` as its own process, as npm run dev starts it, polling both task queues.
 * BENCH_PROFILE=dir: it writes a V8 CPU profile there when it stops (run the bench itself with
 * `node --cpu-prof` for the API's).
 */
export async function spawnWorker(env: BenchEnv, simUrl: string): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, ...WORKER_NODE_FLAGS, fileURLToPath(new URL('../../worker.ts', import.meta.url))], {
    env: {
      ...process.env, DATABASE_URL: env.databaseUrl, TEMPORAL_ADDRESS: env.temporalAddress, TEMPORAL_TASK_QUEUE: env.taskQueue,
      APP_SECRET_KEY: env.secretKey.toString('hex'), WECOM_API_BASE: simUrl, LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => { if (/worker polling/.test(chunk.toString())) resolve(); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[worker] ${chunk}`));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return child;
}

/**
 * Waits (up to 30 min) until the add events of `externalUserIds` are onboarded; resolves with how
 * many are. One parameterised statement on its own connection: the ORM would write thousands of
 * ids into the SQL text every half second, CPU the benchmark then counted as the API's.
 */
export async function waitForOnboardings(env: BenchEnv, externalUserIds: string[]): Promise<number> {
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 30 * 60_000;
    let done = 0;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ n: number }>(
        "select count(*)::int as n from wework_callback_logs where outcome = 'accepted' and processed and external_userid = any($1::text[])", [externalUserIds]);
      done = rows[0]!.n;
      if (done === externalUserIds.length) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return done;
  } finally {
    await client.end();
  }
}

/**
 * BENCH_SQL_STATS=1: the statements PostgreSQL ran between `reset()` and `report(per)`, most
 * frequent first, as calls and execution ms per `per` (e.g. per onboarding) — where the database's
 * share of an event goes. Without BENCH_SQL_STATS both do nothing.
 */
export function sqlStatements(env: BenchEnv) {
  const enabled = Boolean(process.env.BENCH_SQL_STATS);
  const sql = (text: string) => env.orm.em.getConnection().execute<Array<Record<string, unknown>>>(text);
  return {
    async reset(): Promise<void> {
      if (!enabled) return;
      await sql('create extension if not exists pg_stat_statements');
      await sql('select pg_stat_statements_reset()');
    },
    async report(per: number, label: string): Promise<void> {
      if (!enabled) return;
      const rows = await sql(
        `select calls, total_exec_time as ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query from pg_stat_statements
          where query not like '%pg_stat_statements%' order by calls desc, total_exec_time desc limit 25`);
      console.log(`\nSQL statements ${label} (pg_stat_statements; execution time includes lock waits)\n`);
      printTable(['calls', 'ms', 'statement'], rows.map((r) => [round(Number(r.calls) / per, 2), round(Number(r.ms) / per, 3), String(r.query)]));
    },
  };
}

/** Percentile (nearest rank) of an ascending-sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Rounds for printing and JSON (one decimal is plenty for ms and events/s). */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A positive integer from `--name=value`, then the environment variable, then the default. */
export function intOption(flag: string, envName: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${flag}=`));
  const raw = arg ? arg.slice(flag.length + 3) : process.env[envName];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${flag} / ${envName} must be a positive whole number (got ${raw})`);
  return value;
}

/** Writes a result file under bench/results/ and returns its path. */
export function writeResult(name: string, data: unknown): string {
  const dir = path.resolve(import.meta.dirname, '../results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/**
 * CPU seconds of one PostgreSQL cluster: its postmaster with the backends it reaped (cutime/cstime)
 * and those still running (its children).
 */
export function postgresCpuSeconds(dataDir: string): number {
  try {
    const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const own = procStat(postmaster);
    let seconds = own.cpuSeconds + own.reapedChildrenCpuSeconds;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const child = procStat(Number(entry));
        if (child.ppid === postmaster) seconds += child.cpuSeconds;
      } catch {
        // The process ended while we looked.
      }
    }
    return seconds;
  } catch {
    return Number.NaN;
  }
}

/** A process's parent and CPU seconds from /proc/<pid>/stat (clock ticks are 100/s on Linux); throws when it is gone. */
function procStat(pid: number): { ppid: number; cpuSeconds: number; reapedChildrenCpuSeconds: number } {
  // The fields after the parenthesised command: state, ppid, …, utime (11), stime (12), cutime (13), cstime (14).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return {
    ppid: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
    reapedChildrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / 100,
  };
}

/** CPU seconds (user + system) a process has used so far; NaN when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return procStat(pid).cpuSeconds;
  } catch {
    return Number.NaN;
  }
}

/** The machine the figures were measured on. */
export function machine() {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

/** Prints rows as an aligned text table. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? '')].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}
