import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRetentionSchedule } from '../../api/temporal/retention-schedule.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import type { retentionPurgeWorkflow } from '../../workflows/retention.workflow.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let admin: Session;
let marketer: Session;
const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const sql = <T>(text: string, params: unknown[] = []) => db.orm.em.getConnection().execute(text, params) as Promise<T[]>;

/** Inserts a callback log and a message `daysAgo` days old, tagged with `label`. */
async function rowsAged(daysAgo: number, label: string): Promise<void> {
  const at = new Date(Date.now() - daysAgo * 86_400_000);
  await sql(`insert into wework_callback_logs (created_at, updated_at, event_type, outcome, raw_data) values (?, ?, 'change_external_contact', 'accepted', ?)`, [at, at, label]);
  await sql(`insert into wework_messages (created_at, updated_at, send_key, kind, msgtype, content, status) values (?, ?, ?, 'welcome', 'text', ?, 'sent')`,
    [at, at, `${label}:${randomBytes(4).toString('hex')}`, JSON.stringify({ text: label })]);
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  await createUser(db.orm, { username: 'dpo', password: 'retention-admin', role: 'admin' });
  await createUser(db.orm, { username: 'mkt', password: 'retention-mkt-1', role: 'marketer' });
  admin = await signIn(request, 'dpo', 'retention-admin');
  marketer = await signIn(request, 'mkt', 'retention-mkt-1');
});
afterAll(async () => {
  await product.temporal.client.schedule.getHandle(workflowIds.retentionPurgeSchedule()).delete().catch(() => undefined);
  await product?.stop();
  await db?.drop();
});

describe('retention of callback logs and messages', () => {
  it('is set by admins only, validated, and audited', async () => {
    expect((await request('/api/settings/retention', { headers: marketer.headers() })).status).toBe(403);
    expect(await (await request('/api/settings/retention', { headers: admin.headers() })).json()).toEqual({ callbackLogDays: null, messageDays: null });
    const invalid = await request('/api/settings/retention', { method: 'PUT', headers: admin.headers(), body: JSON.stringify({ callbackLogDays: 0, messageDays: null }) });
    expect(invalid.status).toBe(400);
    const saved = await request('/api/settings/retention', { method: 'PUT', headers: admin.headers(), body: JSON.stringify({ callbackLogDays: 30, messageDays: 90 }) });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ callbackLogDays: 30, messageDays: 90 });
    const [audit] = await sql<{ details: { to: unknown } }>(`select details from audit_logs where action = 'settings.retention'`);
    expect(audit!.details.to).toEqual({ callbackLogDays: 30, messageDays: 90 });
  });

  it('deletes rows older than the settings in the daily purge workflow, scheduled at API start', async () => {
    await rowsAged(120, 'very-old');
    await rowsAged(45, 'older-than-30');
    await rowsAged(1, 'recent');
    // The test server is shared by the run: an API started by another test file may have created it.
    await product.temporal.client.schedule.getHandle(workflowIds.retentionPurgeSchedule()).delete().catch(() => undefined);
    expect(await ensureRetentionSchedule(product.temporal.client, product.taskQueue, 'Asia/Shanghai')).toBe('created');
    expect(await ensureRetentionSchedule(product.temporal.client, product.taskQueue, 'Asia/Shanghai')).toBe('updated');
    const schedule = await product.temporal.client.schedule.getHandle(workflowIds.retentionPurgeSchedule()).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionPurgeWorkflow', taskQueue: product.taskQueue });

    const removed = await product.temporal.client.workflow.execute<typeof retentionPurgeWorkflow>('retentionPurgeWorkflow', {
      taskQueue: product.taskQueue, workflowId: `retention-test-${randomBytes(3).toString('hex')}`,
    });
    expect(removed).toEqual({ callbackLogDays: 2, messageDays: 1 });
    expect((await sql<{ raw_data: string }>('select raw_data from wework_callback_logs order by id')).map((row) => row.raw_data)).toEqual(['recent']);
    expect((await sql<{ text: string }>(`select content->>'text' as text from wework_messages order by id`)).map((row) => row.text)).toEqual(['older-than-30', 'recent']);
  });
});
