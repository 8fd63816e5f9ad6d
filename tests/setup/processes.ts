import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKER_NODE_FLAGS } from '../../scripts/lib/worker-node-flags.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** A product process started by a test, with everything it printed so far. */
export interface SpawnedProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Runs one of the product's real entry points (`node <script>`) from the repo root in its own
 * process group, so a test can deliver Ctrl-C to the whole group the way a terminal does.
 */
export function spawnEntryPoint(script: string, env: Record<string, string | undefined>): SpawnedProcess {
  const cleanEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries({ ...process.env, ...env })) if (value !== undefined) cleanEnv[key] = value;
  // Tests run under vitest's NODE_ENV=test; the entry points decide their own mode.
  if (!('NODE_ENV' in env)) delete cleanEnv.NODE_ENV;
  // The worker runs with the flags it runs with everywhere (npm run start:worker, compose).
  const child = spawn(process.execPath, [...(script === 'worker.ts' ? WORKER_NODE_FLAGS : []), script], { cwd: repoRoot, env: cleanEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits until the process printed something matching `pattern`, or fails with what it printed. */
export async function waitForOutput(proc: SpawnedProcess, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(proc.output())) return;
    if (proc.child.exitCode !== null) throw new Error(`process exited (${proc.child.exitCode}) before printing ${pattern}:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${pattern}:\n${proc.output().slice(-3000)}`);
}

/** Every process below `pid` (children, grandchildren …), read from `ps`. */
export function descendantsOf(pid: number): Array<{ pid: number; command: string }> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), command: match[3]! }));
  const found: Array<{ pid: number; command: string }> = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const row of rows.filter((candidate) => candidate.ppid === parent)) {
      found.push({ pid: row.pid, command: row.command });
      queue.push(row.pid);
    }
  }
  return found;
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to the whole process group, as a terminal's Ctrl-C does. */
export function signalGroup(proc: SpawnedProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.child.pid!, signal);
  } catch {
    // already gone
  }
}
