import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BulkTagJob } from '../../common/bulk-tags.schema.ts';
import { AuditLog, Tag, WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, scanAndOnboard } from '../setup/onboarding.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

const MARK_TAG = 'externalcontact/mark_tag';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;
let scanned: Array<{ id: number; externalUserId: string }>;
let vip: number;

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const em = () => db.orm.em.fork();

async function startBulk(session: Session, body: unknown): Promise<Response> {
  return request('/api/bulk-tags', { method: 'POST', headers: { ...session.headers(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Polls the job as the page does until it is no longer running. */
async function finished(id: number): Promise<BulkTagJob> {
  let job!: BulkTagJob;
  await vi.waitFor(async () => {
    const response = await request(`/api/bulk-tags/${id}`, { headers: viewer.headers() });
    expect(response.status).toBe(200);
    job = (await response.json()) as BulkTagJob;
    expect(job.status).not.toBe('running');
  }, { timeout: 30_000, interval: 200 });
  return job;
}

/** The WeCom tag ids the simulator holds on a customer's relationship with zhangsan. */
function simTags(externalUserId: string): string[] {
  return product.sim.state.followsByCustomer.get(externalUserId)?.get('zhangsan')?.tag_ids ?? [];
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ marketer, viewer } = await signInAsEveryRole(db.orm, request));
  const configId = await createChannelCode(db, product, 'bulk_xhs');
  scanned = [];
  for (const name of ['甲', '乙', '丙']) scanned.push(await scanAndOnboard(db, product, configId, name));

  // Two customers the product knows but WeCom cannot tag: one whose relationship WeCom no longer
  // has (mark_tag answers 84061), one whose every relationship is lost here.
  const manager = em();
  const gone = manager.create(WeworkCustomer, { externalUserid: 'wmGoneFromWeCom', name: '丁', addedAt: new Date() });
  manager.create(WeworkCustomerFollow, { customer: gone, staffUserid: 'zhangsan', state: 'bulk_xhs', followedAt: new Date(), status: 'active' });
  const lost = manager.create(WeworkCustomer, { externalUserid: 'wmLostHere', name: '戊', addedAt: new Date() });
  manager.create(WeworkCustomerFollow, { customer: lost, staffUserid: 'zhangsan', state: 'bulk_xhs', followedAt: new Date(), status: 'lost', lostAt: new Date() });
  const tag = manager.create(Tag, { groupName: '客户等级', name: '批量VIP' });
  await manager.flush();
  vip = tag.id;
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('bulk tagging', () => {
  it('tags "all N matching" a filter in WeCom (mark_tag per relationship, a 45009 minute retried) and here, and reports each failure by reason', async () => {
    product.sim.controls.resetStats();
    product.sim.controls.forceError(45009, 1, MARK_TAG);
    const response = await startBulk(marketer, { filter: { channel: 'bulk_xhs' }, add: [vip] });
    expect(response.status).toBe(202);
    const started = (await response.json()) as BulkTagJob;
    expect(started).toMatchObject({ status: 'running', total: 5, add: [vip], remove: [] });
    expect(started.temporalUiUrl).toContain(encodeURIComponent(started.workflowId));

    const job = await finished(started.id);
    expect(job).toMatchObject({ status: 'completed', total: 5, done: 3, failed: 2, failedByReason: { relationship_gone: 1, not_followed: 1 } });
    expect(job.finishedAt).not.toBeNull();

    // WeCom has the corp tag, and each scanned customer's relationship carries it.
    const tag = await em().findOneOrFail(Tag, { id: vip });
    expect(tag.wecomTagId).toBeTruthy();
    for (const customer of scanned) expect(simTags(customer.externalUserId)).toContain(tag.wecomTagId);
    // Three customers tagged, one 84061, one 45009 retried: five calls, none repeated for a settled customer.
    expect(product.sim.controls.callCount(MARK_TAG)).toBe(5);

    // The list filters by the new tag exactly as WeCom has it.
    const list = await request(`/api/customers?tagIds=${vip}&pageSize=100`, { headers: viewer.headers() });
    const rows = ((await list.json()) as { items: Array<{ externalUserid: string }> }).items.map((row) => row.externalUserid).sort();
    expect(rows).toEqual(scanned.map((customer) => customer.externalUserId).sort());

    const audit = await em().findOneOrFail(AuditLog, { action: 'customer.bulk_tags' });
    expect(audit).toMatchObject({ actorUsername: 'marketer', targetId: String(started.id) });
    expect(audit.details).toMatchObject({ add: [vip], total: 5, filter: { channel: 'bulk_xhs' } });
  });

  it('removes a tag from the ticked rows only', async () => {
    const [first, second, third] = scanned;
    const response = await startBulk(marketer, { customerIds: [first!.id, second!.id], remove: [vip] });
    expect(response.status).toBe(202);
    const job = await finished(((await response.json()) as BulkTagJob).id);
    expect(job).toMatchObject({ status: 'completed', total: 2, done: 2, failed: 0 });
    const wecomTagId = (await em().findOneOrFail(Tag, { id: vip })).wecomTagId!;
    expect(simTags(first!.externalUserId)).not.toContain(wecomTagId);
    expect(simTags(second!.externalUserId)).not.toContain(wecomTagId);
    expect(simTags(third!.externalUserId)).toContain(wecomTagId);
  });

  it('is refused to viewers, for unknown tags, for both or neither of rows and filter, and for an unknown job', async () => {
    expect((await startBulk(viewer, { customerIds: [scanned[0]!.id], add: [vip] })).status).toBe(403);
    const unknownTag = await startBulk(marketer, { customerIds: [scanned[0]!.id], add: [999_999] });
    expect(unknownTag.status).toBe(400);
    expect(((await unknownTag.json()) as { error: { code: string } }).error.code).toBe('tag_not_found');
    expect((await startBulk(marketer, { customerIds: [scanned[0]!.id], filter: {}, add: [vip] })).status).toBe(400);
    expect((await startBulk(marketer, { add: [vip] })).status).toBe(400);
    const nobody = await startBulk(marketer, { filter: { channel: 'no_such_channel' }, add: [vip] });
    expect(nobody.status).toBe(400);
    const missing = await request('/api/bulk-tags/999999', { headers: viewer.headers() });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('bulk_tag_not_found');
  });
});
