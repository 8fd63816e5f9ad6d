import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { externalIdHash } from '../../api/privacy/customer-records.ts';
import { listCustomerRuns } from '../../api/privacy/customer-workflows.ts';
import { eraseCustomerResultSchema } from '../../common/privacy.schema.ts';
import { Tag } from '../../db/entities/index.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, scanAndOnboard } from '../setup/onboarding.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let admin: Session;
let marketer: Session;
/** The customer who asks for their data, and another who must keep theirs. */
let subject: { id: number; externalUserId: string; name: string };
let bystander: { id: number; externalUserId: string; name: string };

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const em = () => db.orm.em.fork();

/** A customer named `name` scans the code and is onboarded. */
async function scanAs(configId: string, name: string): Promise<{ id: number; externalUserId: string; name: string }> {
  return { ...(await scanAndOnboard(db, product, configId, name)), name };
}

/** Every table of the database whose rows mention `text` anywhere, with the count. */
async function tablesMentioning(text: string): Promise<Record<string, number>> {
  const connection = db.orm.em.getConnection();
  const tables = await connection.execute<Array<{ table_name: string }>>(
    "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'");
  const found: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const [row] = await connection.execute<Array<{ n: string }>>(`select count(*) as n from "${table}" x where strpos(x::text, ?) > 0`, [text]);
    if (Number(row!.n) > 0) found[table] = Number(row!.n);
  }
  return found;
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  await createUser(db.orm, { username: 'dpo', password: 'privacy-admin-1', role: 'admin' });
  await createUser(db.orm, { username: 'mkt', password: 'privacy-mkt-12', role: 'marketer' });
  admin = await signIn(request, 'dpo', 'privacy-admin-1');
  marketer = await signIn(request, 'mkt', 'privacy-mkt-12');

  const configId = await createChannelCode(db, product, 'xhs_privacy');
  const manager = em();
  manager.create(Tag, { groupName: '客户等级', name: 'VIP' });
  await manager.flush();
  subject = await scanAs(configId, '隐私请求人林小姐');
  bystander = await scanAs(configId, '另一位周女士');

  // A tag edit: another workflow run and an audit row that name the customer.
  const vip = await em().findOneOrFail(Tag, { name: 'VIP' });
  const tagged = await request(`/api/customers/${subject.id}/tags`, { method: 'PUT', headers: marketer.headers(), body: JSON.stringify({ add: [vip.id] }) });
  expect(tagged.status).toBe(200);
  // An export searched by the customer's name: its audit row keeps the search.
  const exported = await request(`/api/customers/export?format=csv&q=${encodeURIComponent(subject.name)}`, { headers: admin.headers() });
  expect(exported.status).toBe(200);
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('PIPL: export and erase one customer', () => {
  it('exports everything held about the customer as a JSON download, for admins only', async () => {
    expect((await request(`/api/customers/${subject.id}/export`, { headers: marketer.headers() })).status).toBe(403);
    const response = await request(`/api/customers/${subject.id}/export`, { headers: admin.headers() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="customer-${subject.id}-export.json"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      externalUserid: string; profile: { name: string }; follows: unknown[]; tags: Array<{ name: string }>; lead: { source: string } | null;
      messages: Array<{ kind: string }>; callbacks: Array<{ raw_data: string }>; workflowRuns: Array<{ type: string }>;
    };
    expect(body.externalUserid).toBe(subject.externalUserId);
    expect(body.profile.name).toBe(subject.name);
    expect(body.follows).toHaveLength(1);
    expect(body.tags.map((tag) => tag.name).sort()).toEqual(['VIP', '小红书']);
    expect(body.lead).toMatchObject({ source: 'wework_xhs_privacy' });
    expect(body.messages.map((message) => message.kind)).toContain('welcome');
    expect(body.callbacks[0]!.raw_data).toContain(subject.externalUserId);
    expect(body.workflowRuns.map((run) => run.type).sort()).toEqual(expect.arrayContaining(['customerTagsWorkflow', 'onboardCustomerWorkflow']));
    expect(JSON.stringify(body)).not.toContain(bystander.externalUserId);
  });

  it('erases the customer from every table and their workflow histories from Temporal, after typing the id, auditing only a hash and counts', async () => {
    const runs = await listCustomerRuns(product.temporal.client, subject.externalUserId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(await tablesMentioning(subject.externalUserId)).length).toBeGreaterThan(3);

    const erase = (session: Session, confirm: string) => request(`/api/customers/${subject.id}/erase`, { method: 'POST', headers: session.headers(), body: JSON.stringify({ confirm }) });
    expect((await erase(marketer, subject.externalUserId)).status).toBe(403);
    const mistyped = await erase(admin, `${subject.externalUserId}x`);
    expect(mistyped.status).toBe(400);
    expect(await mistyped.json()).toMatchObject({ error: { code: 'confirmation_mismatch', field: 'confirm' } });

    const erased = await erase(admin, subject.externalUserId);
    expect(erased.status).toBe(200);
    const result = eraseCustomerResultSchema.parse(await erased.json());
    expect(result.workflowRuns).toBe(runs.length);
    expect(result.rows).toMatchObject({ wework_customers: 1, wework_customer_follows: 1 });

    // Nothing of them is left in any table: not the external id, not the name.
    expect(await tablesMentioning(subject.externalUserId)).toEqual({});
    expect(await tablesMentioning(subject.name)).toEqual({});
    // Nor in Temporal: the search finds no run, and each former run is gone. Temporal deletes
    // asynchronously (the dev server takes ~20 s), so wait for it.
    await vi.waitFor(async () => expect(await listCustomerRuns(product.temporal.client, subject.externalUserId)).toEqual([]), { timeout: 50_000, interval: 500 });
    for (const run of runs) {
      await vi.waitFor(async () => {
        await expect(product.temporal.client.workflow.getHandle(run.workflowId, run.runId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
      }, { timeout: 20_000, interval: 500 });
    }

    // The erasure is audited without the erased data: who, when, a hash, counts.
    const [audit] = await db.orm.em.getConnection().execute<Array<{ actor_username: string; target_id: string; details: { workflowRuns: number } }>>(
      `select actor_username, target_id, details from audit_logs where action = 'customer.erase'`);
    expect(audit).toMatchObject({ actor_username: 'dpo', target_id: externalIdHash(subject.externalUserId), details: { workflowRuns: runs.length } });

    // The other customer keeps everything.
    expect((await request(`/api/customers/${bystander.id}`, { headers: admin.headers() })).status).toBe(200);
    expect(await listCustomerRuns(product.temporal.client, bystander.externalUserId)).not.toEqual([]);
    expect((await tablesMentioning(bystander.name)).wework_customers).toBe(1);
    expect((await request(`/api/customers/${subject.id}`, { headers: admin.headers() })).status).toBe(404);
  }, 120_000);
});
