import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lead, Tag, WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { ensureCustomerLead } from '../../db/customers.store.ts';
import { claimSendRow, settleSendRow } from '../../db/messages.store.ts';
import { tagCustomerLocally } from '../../db/tags.store.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

/** A customer with one relationship to staff member zhangsan, as onboarding leaves them before their lead. */
async function aCustomer(externalUserid: string): Promise<number> {
  const em = db.orm.em.fork();
  const customer = em.create(WeworkCustomer, { externalUserid, name: '小美' });
  em.create(WeworkCustomerFollow, { customer, staffUserid: 'zhangsan', followedAt: new Date() });
  await em.flush();
  return customer.id;
}

describe("onboarding's one-statement steps", () => {
  it('give a customer one lead when two add events (two staff members) record them at once', async () => {
    const customerId = await aCustomer('wm_lead_race');
    const connection = db.orm.em.getConnection();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => ensureCustomerLead(connection, { customerId, name: '小美', source: `wework_channel${i}` })));

    expect(new Set(results.map((r) => r.leadId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const leads = await db.orm.em.fork().find(Lead, { id: results[0]!.leadId });
    expect(leads).toHaveLength(1);
    // First touch: a later event never changes the source.
    const again = await ensureCustomerLead(connection, { customerId, name: '小美', source: 'wework_other' });
    expect(again).toEqual({ leadId: results[0]!.leadId, created: false });
    expect((await db.orm.em.fork().findOneOrFail(WeworkCustomer, customerId, { populate: ['lead'] })).lead?.source).toBe(leads[0]!.source);
  });

  it('tag the customer, the lead and the relationship once however often the step runs', async () => {
    const customerId = await aCustomer('wm_tag_twice');
    const connection = db.orm.em.getConnection();
    const { leadId } = await ensureCustomerLead(connection, { customerId, name: '小美', source: 'wework_xhs' });
    const em = db.orm.em.fork();
    const tag = em.create(Tag, { groupName: '渠道', name: '小红书', wecomTagId: 'et_xhs' });
    await em.flush();

    for (let i = 0; i < 3; i += 1) await tagCustomerLocally(connection, { tagId: tag.id, wecomTagId: 'et_xhs', customerId, leadId, staffUserid: 'zhangsan' });

    const check = db.orm.em.fork();
    const customer = await check.findOneOrFail(WeworkCustomer, customerId, { populate: ['tags'] });
    expect(customer.tags.getItems().map((t) => t.name)).toEqual(['小红书']);
    expect((await check.findOneOrFail(Lead, leadId, { populate: ['tags'] })).tags.getItems().map((t) => t.name)).toEqual(['小红书']);
    expect((await check.findOneOrFail(WeworkCustomerFollow, { customer: customerId, staffUserid: 'zhangsan' })).wecomTagIds).toEqual(['et_xhs']);
  });

  it('hand a retry the send row of the first attempt, and keep the text that went out', async () => {
    const connection = db.orm.em.getConnection();
    const row = { sendKey: 'welcome:retry-test', kind: 'welcome' as const, externalUserid: 'wm_retry', staffUserid: 'zhangsan', text: '您好' };
    const first = await claimSendRow(connection, row);
    expect(first).toMatchObject({ status: 'pending', created: true });
    expect(await claimSendRow(connection, { ...row, text: '另一个' })).toEqual({ id: first.id, status: 'pending', created: false });

    await settleSendRow(connection, first.id, { status: 'sent', text: '您好，小美' });
    expect(await claimSendRow(connection, row)).toEqual({ id: first.id, status: 'sent', created: false });
    const [stored] = await connection.execute<Array<{ content: unknown; sent_at: string; error_msg: string | null }>>('select content, sent_at, error_msg from wework_messages where id = ?', [first.id]);
    expect(stored).toMatchObject({ content: { text: '您好，小美' }, error_msg: null });
    expect(new Date(stored!.sent_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});
