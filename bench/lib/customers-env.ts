import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest, openOrm, type MikroORM } from '../../db/orm.ts';
import { makeEnterable, startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts';
import { freePort } from '../../scripts/lib/ports.ts';

/** Prints a progress line on stderr, so stdout keeps only the figures. */
export function note(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** A throw-away embedded PostgreSQL with the committed migrations applied. */
export async function startBenchDatabase(): Promise<{ url: string; orm: MikroORM; stop(): Promise<void> }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-'));
  makeEnterable(root);
  const database = await startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), port: await freePort() });
  const orm = await openOrm(database.url, { poolMax: 10 });
  await migrateToLatest(orm);
  return {
    url: database.url,
    orm,
    async stop() {
      await orm.close();
      await database.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** p50/p95/p99/mean of durations in milliseconds. */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number; mean: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length), n: sorted.length };
}

/** Writes `bench/results/<name>.json`. */
export function writeResult(name: string, result: unknown): string {
  const dir = path.resolve(import.meta.dirname, '../results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
