import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { healthReportSchema, probeResultSchema } from '../../common/health.schema.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { waitForHttp } from '../../scripts/lib/supervisor.ts';
import { signIn } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { descendantsOf, isAlive, signalGroup, spawnEntryPoint, waitForOutput } from '../setup/processes.ts';

/** Variables that, left over from the developer's shell, would change what the entry points do. */
const unset = { DATABASE_URL: undefined, TEMPORAL_ADDRESS: undefined, APP_SECRET_KEY: undefined, WECOM_API_BASE: undefined };

describe('a wrong environment value', () => {
  it.each([
    ['PORT', { PORT: 'abc' }, /^Invalid environment: PORT must be a whole number between 1 and 65535 \(got "abc"\)$/],
    ['DATABASE_URL', { DATABASE_URL: 'localhost:5432/clinic' }, /^Invalid environment: DATABASE_URL must look like postgres:\/\//],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'http://temporal' }, /^Invalid environment: TEMPORAL_ADDRESS must be host:port/],
  ])('%s stops the API at start-up with one line naming it', async (_name, env, expected) => {
    const proc = spawnEntryPoint('api/server.ts', { ...unset, ...env });
    expect(await proc.exited).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });

  it('never echoes a database password in that line', async () => {
    const proc = spawnEntryPoint('worker.ts', { ...unset, DATABASE_URL: 'mysql://admin:hunter2@db/clinic' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/DATABASE_URL/);
    expect(proc.output()).not.toContain('hunter2');
  });

  it('npm start without DATABASE_URL says what to set instead of starting anything embedded', async () => {
    const proc = spawnEntryPoint('scripts/start.ts', unset);
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toMatch(/^Invalid environment: DATABASE_URL is not set/);
  });
});

describe('npm start against an external PostgreSQL and Temporal', () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase(); });
  afterAll(async () => { await db.drop(); });

  it('uses them, starts nothing embedded, serves a healthy API and stops both children on SIGTERM', async () => {
    const port = await freePort();
    const proc = spawnEntryPoint('scripts/start.ts', {
      ...unset,
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `start-${randomBytes(3).toString('hex')}`,
      APP_SECRET_KEY: randomBytes(32).toString('hex'),
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'entry-point-pass',
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/api/health`, { child: proc.child, timeoutMs: 90_000 });
      expect(await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()).toEqual({ status: 'up' });
      // Details and the probe are behind sign-in: use the first admin created from ADMIN_USERNAME / ADMIN_PASSWORD.
      const session = await signIn((path, init) => fetch(`http://127.0.0.1:${port}${path}`, init), 'ops', 'entry-point-pass');
      const report = healthReportSchema.parse(await (await fetch(`http://127.0.0.1:${port}/api/health/details`, { headers: session.headers() })).json());
      expect(report.ok).toBe(true);
      const probe = probeResultSchema.parse(await (await fetch(`http://127.0.0.1:${port}/api/health/probe`, { method: 'POST', headers: session.headers() })).json());
      expect(probe, JSON.stringify(probe)).toMatchObject({ ok: true });

      const children = descendantsOf(proc.child.pid!);
      expect(children.map((child) => child.command).join('\n')).not.toMatch(/postgres|temporal server/);
      expect(children.filter((child) => /worker\.ts|api\/server\.ts/.test(child.command))).toHaveLength(2);

      signalGroup(proc, 'SIGTERM');
      await proc.exited;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(children.filter((child) => isAlive(child.pid))).toEqual([]);
    } finally {
      signalGroup(proc, 'SIGKILL');
    }
  });
});
