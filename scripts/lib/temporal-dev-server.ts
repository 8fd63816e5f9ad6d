import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes.ts';
import { resolveTemporalCli } from './temporal-cli.ts';

/** A running Temporal CLI dev server. */
export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with the product's search attributes registered. With a
 * `dbFilename` the history survives restarts (dev); without one it lives in memory (tests).
 */
export async function startTemporalDevServer(options: {
  port: number;
  uiPort?: number | null;
  dbFilename?: string;
  namespace?: string;
  /** More namespaces to create at start (with the same search attributes), e.g. one per test file. */
  extraNamespaces?: readonly string[];
  fastSqlite?: boolean;
  /** The API's codec endpoint (`…/api/temporal-codec`): the Web UI decodes payloads through it. */
  codecEndpoint?: string;
  /**
   * WAL journal + synchronous=NORMAL: what `npm run dev` uses. A crash of the process loses
   * nothing; a power cut may lose the last commits, never the file (WAL keeps it consistent).
   */
  devSqlite?: boolean;
  log?: (line: string) => void;
}): Promise<TemporalDevServer> {
  const cli = await resolveTemporalCli(options.log);
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', namespace, '--log-level', 'warn'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (options.uiPort && options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  for (const extra of options.extraNamespaces ?? []) args.push('--namespace', extra);
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  if (options.fastSqlite) args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  else if (options.devSqlite) args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => options.log?.(line));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const address = `127.0.0.1:${options.port}`;
  await waitForTemporal(address, namespace, child);
  return {
    address,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : null,
    process: child,
    stop: () => stopChild(child),
  };
}

/** Polls until the frontend answers for the namespace, failing early if the process exits. */
export async function waitForTemporal(address: string, namespace: string, child?: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not become ready: ${(lastError as Error)?.message}`);
}

/** Sends SIGTERM, then SIGKILL after a grace period, and resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
