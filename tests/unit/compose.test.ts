import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../config.ts';
import { WORKER_NODE_FLAGS } from '../../scripts/lib/worker-node-flags.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; environment?: Record<string, string>; command?: string[]; ports?: string[] }>;
};
const hasComposePlugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

describe('docker-compose.yml', () => {
  it.each(['api', 'worker', 'worker-bulk'])('passes the %s only variables config.ts knows, including what production requires', (service) => {
    const environment = compose.services[service]?.environment ?? {};
    const names = Object.keys(environment);
    expect(names.filter((name) => !ENV_VARIABLES.includes(name))).toEqual([]);
    for (const required of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'APP_SECRET_KEY']) expect(names).toContain(required);
  });

  it('gives values that config.ts accepts once the operator supplies APP_SECRET_KEY', () => {
    const environment = compose.services.api!.environment!;
    // Resolve ${VAR:-default} and ${VAR:?message} the way compose does, with APP_SECRET_KEY supplied.
    const supplied: Record<string, string> = { APP_SECRET_KEY: 'a'.repeat(64) };
    const resolved = Object.fromEntries(Object.entries(environment).map(([name, value]) => [
      name,
      String(value).replace(/\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g, (_m, variable: string, fallback?: string) => supplied[variable] ?? fallback ?? ''),
    ]));
    const config = loadConfig(resolved);
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(config.DATABASE_URL).toMatch(/@app-db:5432\/clinic$/);
  });

  it('runs the API and the worker from the same image with their production entry points', () => {
    expect(compose.services.api!.command).toEqual(['node', 'api/server.ts']);
    // The worker's Node flags are the same everywhere it starts (scripts/lib/worker-node-flags.ts).
    expect(compose.services.worker!.command).toEqual(['node', ...WORKER_NODE_FLAGS, 'worker.ts']);
    expect(compose.services['worker-bulk']!.command).toEqual(['node', ...WORKER_NODE_FLAGS, 'worker.ts']);
    const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:worker']).toBe(['node', ...WORKER_NODE_FLAGS, 'worker.ts'].join(' '));
  });

  it('runs the realtime and the bulk task queue on workers of their own, so they scale apart', () => {
    expect(loadConfig({ WORKER_TASK_QUEUES: compose.services.worker!.environment!.WORKER_TASK_QUEUES }).WORKER_TASK_QUEUES).toEqual(['realtime']);
    expect(loadConfig({ WORKER_TASK_QUEUES: compose.services['worker-bulk']!.environment!.WORKER_TASK_QUEUES }).WORKER_TASK_QUEUES).toEqual(['bulk']);
  });

  it('publishes only the API (the Temporal UI on loopback) and runs a production Temporal with a schema step', () => {
    const published = Object.entries(compose.services).filter(([, service]) => (service.ports ?? []).length > 0);
    expect(published.map(([name]) => name).sort()).toEqual(['api', 'temporal-ui']);
    expect(compose.services['temporal-ui']!.ports).toEqual(['127.0.0.1:8233:8080']);
    expect(compose.services.temporal!.image).toMatch(/^temporalio\/server:/);
    expect(compose.services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(compose.services['temporal-schema']!.command!.join('\n')).toMatch(/temporal-sql-tool .*update-schema/);
    expect(Object.values(compose.services).map((service) => service.image ?? '')).not.toContainEqual(expect.stringContaining('auto-setup'));
  });

  it.skipIf(!hasComposePlugin)('is valid for docker compose', () => {
    execFileSync('docker', ['compose', 'config', '--quiet'], { cwd: repoRoot, env: { ...process.env, APP_SECRET_KEY: 'a'.repeat(64) } });
  });
});
