import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { Tag, WeworkCallbackLog, WeworkCustomer } from '../../db/entities/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { getFollow } from '../../sim/state.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * The channel tag's failures that can be recovered are recovered: two customers of a new channel
 * at once (the second add_corp_tag gets 40071), and the tag deleted in WeCom (mark_tag gets 40068).
 * A code saved through the dashboard has its tag already (tests/integration/contact-ways.test.ts);
 * `createChannelCode` makes the code in WeCom directly, like a code made in WeCom's admin console
 * and imported, so no tag exists yet and the onboardings must make it themselves.
 */

let db: TestDatabase;
let product: TestProduct;
const em = () => db.orm.em.fork();

async function onboarded(externalUserId: string) {
  await vi.waitFor(async () => {
    const log = await em().findOneOrFail(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact', outcome: 'accepted' });
    expect(log.processed).toBe(true);
  }, { timeout: 30_000, interval: 100 });
}

const wecomTagsOf = (externalUserId: string) => getFollow(product.sim.state, 'zhangsan', externalUserId)?.tag_ids ?? [];

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('the channel tag', () => {
  it('two customers of a brand-new channel at once: one tag in WeCom, both tagged with it', async () => {
    const configId = await createChannelCode(db, product, { state: 'weibo', remark: '微博', welcome: '{name}您好' });
    // Both onboardings read the tag list before either creates the tag: the race is certain.
    product.sim.controls.holdCallsUntil('externalcontact/get_corp_tag_list', 2);
    const scans = [product.sim.controls.scan({ config_id: configId, name: '微博一' }), product.sim.controls.scan({ config_id: configId, name: '微博二' })];
    await Promise.all(scans.map((scan) => scan.done));
    for (const scan of scans) await onboarded(scan.customer.external_userid);

    expect(product.sim.controls.stats().errors['externalcontact/add_corp_tag']).toEqual({ 40071: 1 });
    const tag = await em().findOneOrFail(Tag, { groupName: '渠道', name: '微博' });
    for (const scan of scans) expect(wecomTagsOf(scan.customer.external_userid)).toContain(tag.wecomTagId);
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    expect((await api.tags.list()).flatMap((g) => g.tag).filter((t) => t.name === '微博')).toHaveLength(1);
    expect(product.sim.controls.messages('app').filter((m) => /新客户 微博[一二] 来自微博/.test(JSON.stringify(m.body)))).toHaveLength(2);
  });

  it('deleted in WeCom: the next customer\'s mark_tag gets 40068, the tag is made again and applied', async () => {
    const configId = await createChannelCode(db, product, { state: 'bilibili', remark: 'B站', welcome: '{name}您好' });
    const first = product.sim.controls.scan({ config_id: configId, name: 'B站一' });
    await first.done;
    await onboarded(first.customer.external_userid);
    const before = (await em().findOneOrFail(Tag, { groupName: '渠道', name: 'B站' })).wecomTagId!;
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    await api.tags.delete({ tag_id: [before] });

    const second = product.sim.controls.scan({ config_id: configId, name: 'B站二' });
    await second.done;
    await onboarded(second.customer.external_userid);
    expect(product.sim.controls.stats().errors['externalcontact/mark_tag']).toEqual({ 40068: 1 });
    const after = (await em().findOneOrFail(Tag, { groupName: '渠道', name: 'B站' })).wecomTagId!;
    expect(after).not.toBe(before);
    expect(wecomTagsOf(second.customer.external_userid)).toContain(after);
    const customer = await em().findOneOrFail(WeworkCustomer, { externalUserid: second.customer.external_userid }, { populate: ['tags'] });
    expect(customer.tags.getItems().map((t) => t.name)).toEqual(['B站']);
  });
});
