import { spawn, type ChildProcess } from 'node:child_process';
import { createLogger, type Logger } from '../../logging/logger.ts';
import { stopChild } from './temporal-dev-server.ts';

/** A child service the supervisor started, with its name for log prefixes. */
export interface Service {
  name: string;
  child: ChildProcess;
}

const colours = [36, 35, 33, 32, 34, 31];

/**
 * Starts child processes with prefixed output and stops them all, newest first, exactly once —
 * on Ctrl-C, on SIGTERM, or when one of them dies unexpectedly.
 */
export class Supervisor {
  readonly #services: Service[] = [];
  readonly #cleanups: Array<{ name: string; stop: () => Promise<void> }> = [];
  #stopping: Promise<void> | null = null;
  readonly #log: Logger;

  /** `label` prefixes the supervisor's own log lines. */
  constructor(label = 'dev') {
    this.#log = createLogger(label);
  }

  /** Spawns `command args` with env, prefixing each output line with the service name. */
  spawn(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, options: { critical?: boolean } = {}): Service {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const colour = colours[this.#services.length % colours.length];
    const prefix = process.stdout.isTTY ? `\x1b[${colour}m[${name}]\x1b[0m` : `[${name}]`;
    const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) stream.write(`${prefix} ${line}\n`);
    };
    child.stdout?.on('data', forward(process.stdout));
    child.stderr?.on('data', forward(process.stderr));
    child.on('exit', (code, signal) => {
      if (this.#stopping || (options.critical === false && code === 0)) return;
      this.log(`${name} exited (${signal ?? `code ${code}`})`);
      if (options.critical !== false) void this.stopAll(1);
    });
    const service = { name, child };
    this.#services.push(service);
    this.#cleanups.push({ name, stop: () => stopChild(child) });
    return service;
  }

  /** Registers a non-process resource (e.g. embedded PostgreSQL) to stop with the rest. */
  onStop(name: string, stop: () => Promise<void>): void {
    this.#cleanups.push({ name, stop });
  }

  /** Stops everything in reverse start order, then exits with `code`. */
  stopAll(code = 0): Promise<void> {
    this.#stopping ??= (async () => {
      for (const { name, stop } of [...this.#cleanups].reverse()) {
        try {
          await stop();
        } catch (error) {
          this.log(`stopping ${name} failed: ${(error as Error).message}`);
        }
      }
      process.exit(code);
    })();
    return this.#stopping;
  }

  /** Stops everything on Ctrl-C and SIGTERM. */
  handleSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (!this.#stopping) this.log(`${signal}: stopping every service …`);
        void this.stopAll(0);
      });
    }
  }

  /** Prints a line of the supervisor's own. */
  log(line: string): void {
    this.#log.notice(line);
  }
}

/** Polls a URL until it answers 2xx (or `acceptStatus`), failing early if `child` exits. */
export async function waitForHttp(url: string, options: { timeoutMs?: number; child?: ChildProcess; acceptStatus?: number[] } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (options.child && options.child.exitCode !== null) throw new Error(`process for ${url} exited with code ${options.child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok || options.acceptStatus?.includes(response.status)) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not answer in time`);
}
