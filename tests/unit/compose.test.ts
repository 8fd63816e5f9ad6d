import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../config.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; command?: string[] }>;
};
const hasComposePlugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

describe('docker-compose.yml', () => {
  it.each(['api', 'worker'])('passes the %s only variables config.ts knows, including what production requires', (service) => {
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
    expect(compose.services.worker!.command).toEqual(['node', 'worker.ts']);
  });

  it.skipIf(!hasComposePlugin)('is valid for docker compose', () => {
    execFileSync('docker', ['compose', 'config', '--quiet'], { cwd: repoRoot, env: { ...process.env, APP_SECRET_KEY: 'a'.repeat(64) } });
  });
});
