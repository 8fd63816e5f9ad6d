import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { healthReportSchema, probeResultSchema } from '../../common/health.schema.ts';
import { openOrm } from '../../db/orm.ts';
import { Tag } from '../../db/entities/index.ts';
import { makeEnterable } from '../../scripts/lib/embedded-postgres.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { signIn } from '../setup/auth.ts';
import { descendantsOf, isAlive, signalGroup, spawnEntryPoint, waitForOutput, type SpawnedProcess } from '../setup/processes.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-dev-'));
makeEnterable(dataDir);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm run dev` as a newcomer runs it: no external service configured. */
async function startDev(port: number): Promise<SpawnedProcess> {
  const proc = spawnEntryPoint('scripts/dev.ts', {
    DATA_DIR: dataDir, PORT: String(port),
    DATABASE_URL: undefined, TEMPORAL_ADDRESS: undefined, TEMPORAL_UI_URL: undefined, WECOM_API_BASE: undefined,
    WECOM_CORP_ID: undefined, APP_SECRET_KEY: undefined, TEMPORAL_TASK_QUEUE: undefined,
  });
  await waitForOutput(proc, /is running — Ctrl-C stops everything/, 240_000);
  return proc;
}

/** Ctrl-C as a terminal sends it, then checks that every process the command started is gone. */
async function pressCtrlC(proc: SpawnedProcess): Promise<void> {
  const children = descendantsOf(proc.child.pid!);
  expect(children.some((child) => /postgres/.test(child.command))).toBe(true);
  expect(children.some((child) => /temporal server start-dev/.test(child.command))).toBe(true);
  signalGroup(proc, 'SIGINT');
  await proc.exited;
  const deadline = Date.now() + 20_000;
  while (children.some((child) => isAlive(child.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(children.filter((child) => isAlive(child.pid)).map((child) => child.command)).toEqual([]);
}

/** A process's CPU niceness (field 19 of /proc/<pid>/stat, after the parenthesised command). */
function nicenessOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return Number(fields[16]);
}

function printed(proc: SpawnedProcess, label: string): string {
  const match = proc.output().match(new RegExp(`^ +${label} {2,}(\\S+)$`, 'm'));
  if (!match) throw new Error(`npm run dev did not print ${label}:\n${proc.output()}`);
  return match[1]!;
}

describe('npm run dev', () => {
  let probeRun: { workflowId: string; runId: string };

  it('brings every part up healthy, prints the URLs, and Ctrl-C leaves no process behind', async () => {
    const port = await freePort();
    const proc = await startDev(port);
    try {
      const api = `http://localhost:${port}`;
      expect(printed(proc, 'Dashboard')).toBe(`${api}/dashboard/`);
      expect(await (await fetch(`${api}/api/health`)).json()).toEqual({ status: 'up' });
      const dashboard = await fetch(`${api}/dashboard/`);
      expect(await dashboard.text()).toContain('<div id="app">');

      // A newcomer signs in with the generated admin password from the 0600 file whose path is
      // printed at first start (the password itself never reaches the log), and changes it.
      const firstSignIn = proc.output().match(/首次登录 \/ first sign-in: (\S+), password in (\S+)/);
      expect(firstSignIn, proc.output()).not.toBeNull();
      const [username, password] = readFileSync(firstSignIn![2]!, 'utf8').trim().split('\n') as [string, string];
      expect(proc.output()).not.toContain(password);
      const request = (path: string, init?: RequestInit) => fetch(`${api}${path}`, init);
      const session = await signIn(request, username, password);
      expect((await request('/api/auth/change-password', { method: 'POST', headers: session.headers(), body: JSON.stringify({ currentPassword: password, newPassword: 'a-new-admin-password' }) })).status).toBe(200);
      const response = await fetch(`${api}/api/health/details`, { headers: session.headers() });
      const report = healthReportSchema.parse(await response.json());
      expect(response.status).toBe(200);
      expect(report.components.worker.pollers).toBeGreaterThanOrEqual(1);
      // The simulator's demo corp is configured for a newcomer.
      expect(report.components.wecom).toMatchObject({ configured: true, corpId: 'ww_sim_corp' });
      expect((await fetch(report.temporalUiUrl!)).status).toBe(200);
      // The UI decodes the (encrypted) histories through the API's codec endpoint.
      const uiSettings = (await (await fetch(`${report.temporalUiUrl}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(uiSettings.Codec.Endpoint).toBe(`${api}/api/temporal-codec`);
      const probe = probeResultSchema.parse(await (await fetch(`${api}/api/health/probe`, { method: 'POST', headers: session.headers() })).json());
      expect(probe.ok).toBe(true);
      probeRun = { workflowId: probe.workflowId, runId: probe.runId! };

      // The worker yields the CPU to the API (WORKER_NICE): a burst's acknowledgements come first.
      const processes = descendantsOf(proc.child.pid!);
      const niceness = (pattern: RegExp) => processes.filter((child) => pattern.test(child.command)).map((child) => nicenessOf(child.pid));
      expect(niceness(/worker\.ts/)).toEqual([10]);
      expect(niceness(/api\/server\.ts/)).toEqual([0]);

      const orm = await openOrm(printed(proc, 'PostgreSQL').replace('****', 'postgres'));
      await orm.em.fork().insert(Tag, { groupName: '渠道', name: '持久化检查', createdAt: new Date(), updatedAt: new Date() });
      await orm.close();
    } finally {
      await pressCtrlC(proc);
    }
  });

  it('finds the data of the last run the next time', async () => {
    const port = await freePort();
    const proc = await startDev(port);
    try {
      // The admin exists now, so no password is generated or printed again.
      expect(proc.output()).not.toMatch(/first sign-in/);
      const orm = await openOrm(printed(proc, 'PostgreSQL').replace('****', 'postgres'));
      expect(await orm.em.fork().count(Tag, { name: '持久化检查' })).toBe(1);
      await orm.close();

      const connection = await Connection.connect({ address: printed(proc, 'Temporal frontend') });
      try {
        const described = await connection.workflowService.describeWorkflowExecution({
          namespace: 'default', execution: { workflowId: probeRun.workflowId, runId: probeRun.runId },
        });
        expect(described.workflowExecutionInfo?.type?.name).toBe('healthProbeWorkflow');
      } finally {
        await connection.close();
      }
    } finally {
      await pressCtrlC(proc);
    }
  });
});
