import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WeworkCallbackLog, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, deliverAgain, startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * WeCom does not promise the order of its callbacks, and the inbox's relay reorders them: whatever
 * order add / edit / delete of one relationship arrive in, the relationship ends as the latest
 * event (by CreateTime) says.
 */

let db: TestDatabase;
let product: TestProduct;
let configId: string;
const em = () => db.orm.em.fork();

type Kind = 'add' | 'edit' | 'delete';

/** A scan's add event (not delivered) and the same relationship's other events, built like WeCom's. */
async function relationship(name: string) {
  product.sim.controls.setOptions({ callbackUrl: 'http://127.0.0.1:9/unreachable', callbackAttempts: 1 });
  const scan = product.sim.controls.scan({ config_id: configId, name });
  await scan.done;
  product.sim.controls.setOptions({ callbackUrl: `${product.apiUrl}/api/wework/callback`, callbackAttempts: 3 });
  const add = scan.delivery.xml;
  const base = Number(/<CreateTime>(\d+)<\/CreateTime>/.exec(add)![1]);
  const at = (xml: string, t: number) => xml.replace(/<CreateTime>\d+<\/CreateTime>/, `<CreateTime>${t}</CreateTime>`);
  const other = (changeType: string) => add
    .replace(/<ChangeType><!\[CDATA\[add_external_contact\]\]><\/ChangeType>/, `<ChangeType><![CDATA[${changeType}]]></ChangeType>`)
    .replace(/<State>.*?<\/State>/, '').replace(/<WelcomeCode>.*?<\/WelcomeCode>/, '');
  return {
    externalUserId: scan.customer.external_userid,
    base,
    event: (kind: Kind, t: number) => at(kind === 'add' ? add : other(kind === 'edit' ? 'edit_external_contact' : 'del_external_contact'), t),
  };
}

/** Delivers one event and waits until its workflow finished. */
async function apply(externalUserId: string, xml: string) {
  const response = await deliverAgain(product, xml);
  expect(response.status).toBe(200);
  await vi.waitFor(async () => {
    const logs = await em().find(WeworkCallbackLog, { externalUserid: externalUserId });
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((log) => log.processed)).toBe(true);
  }, { timeout: 20_000, interval: 100 });
}

const followOf = (externalUserId: string) => em().findOneOrFail(WeworkCustomerFollow, { customer: { externalUserid: externalUserId }, staffUserid: 'zhangsan' });

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  configId = await createChannelCode(db, product, { state: 'order', remark: '顺序', welcome: '{name}您好' });
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('add, then edit, then delete of one relationship, arriving in any order', () => {
  const times: Record<Kind, number> = { add: 0, edit: 1, delete: 2 };
  for (const order of permutations<Kind>(['add', 'edit', 'delete'])) {
    it(`${order.join(' → ')}: the relationship ends lost, as of the delete`, async () => {
      const r = await relationship(`顺序${order.map((k) => k[0]).join('')}`);
      for (const kind of order) await apply(r.externalUserId, r.event(kind, r.base + times[kind]));
      const follow = await followOf(r.externalUserId);
      expect(follow).toMatchObject({ status: 'lost', lostReason: 'staff_deleted_customer', eventWatermark: r.base + 2 });
      expect(follow.lostAt?.getTime()).toBe((r.base + 2) * 1000);
    });
  }
});

describe('deleted, then added again', () => {
  for (const order of [['delete', 'add'], ['add', 'delete']] as Kind[][]) {
    it(`${order.join(' → ')}: the later add wins and the relationship is active; the older delete never ends it`, async () => {
      const r = await relationship(`再加${order[0]}`);
      const times: Partial<Record<Kind, number>> = { delete: r.base, add: r.base + 5 };
      for (const kind of order) await apply(r.externalUserId, r.event(kind, times[kind]!));
      expect(await followOf(r.externalUserId)).toMatchObject({ status: 'active', lostAt: null, eventWatermark: r.base + 5 });
    });
  }

  it('a delete WeCom redelivers after the re-add changes nothing', async () => {
    const r = await relationship('重放');
    await apply(r.externalUserId, r.event('delete', r.base));
    await apply(r.externalUserId, r.event('add', r.base + 5));
    // The same delete again, with fresh encryption: one inbox row, so not even a second run.
    await apply(r.externalUserId, r.event('delete', r.base));
    expect(await followOf(r.externalUserId)).toMatchObject({ status: 'active', eventWatermark: r.base + 5 });
  });
});
