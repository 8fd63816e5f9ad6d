import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WeworkCallbackLog, WeworkMessage } from '../../db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { appTextsTo, createChannelCode, noticesNaming } from '../setup/onboarding.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * A launch event puts one staff member's channel code in front of many people at once. WeCom
 * delivers one app 30 messages a minute per member and drops the rest while answering ok (the
 * simulator does the same), so one notice per customer would reach the staff member as 30 and
 * silence. The product paces single notices and carries the rest in digests: every new customer
 * reaches the staff member exactly once, and nothing is dropped.
 */
let db: TestDatabase;
let product: TestProduct;
let configId: string;
const BURST = 45;

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  product.sim.controls.setOptions({ welcomeCodeTtlSeconds: 3_600 });
  configId = await createChannelCode(db, product, 'xiaohongshu');
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('staff notices in a launch burst', () => {
  it('tell the staff member of every new customer once, none past WeCom\'s 30 a minute', async () => {
    const names = Array.from({ length: BURST }, (_, i) => `来宾${String(i).padStart(2, '0')}`);
    const scans = names.map((name) => product.sim.controls.scan({ config_id: configId, name }));
    await Promise.all(scans.map((scan) => scan.done));
    await vi.waitFor(async () => {
      const logs = await db.orm.em.fork().find(WeworkCallbackLog, { changeType: 'add_external_contact', outcome: 'accepted' });
      expect(logs.filter((log) => log.processed)).toHaveLength(BURST);
    }, { timeout: 120_000, interval: 250 });

    // The notices past the pace wait for the staff member's digest, which comes within seconds.
    await vi.waitFor(() => expect(noticesNaming(appTextsTo(product, 'zhangsan'), names)).toEqual(names.map(() => 1)), { timeout: 60_000, interval: 250 });
    expect(product.sim.controls.droppedMessages()).toEqual([]);
    const texts = appTextsTo(product, 'zhangsan');
    expect(texts.length).toBeLessThanOrEqual(28);
    const digests = texts.filter((text) => text.startsWith('【通知汇总'));
    expect(digests.length).toBeGreaterThan(0);
    expect(digests[0]).toMatch(/^【通知汇总 \d+ 条】/);

    // Every notice row is settled: sent alone, or sent in a digest the row names.
    const rows = await db.orm.em.fork().find(WeworkMessage, { kind: 'staff_notification', staffUserid: 'zhangsan' });
    const notices = rows.filter((row) => !row.sendKey.startsWith('notice-digest:'));
    expect(notices).toHaveLength(BURST);
    expect(notices.every((row) => row.status === 'sent')).toBe(true);
    const carried = notices.filter((row) => row.digestId !== null);
    expect(carried.length).toBe(BURST - (texts.length - digests.length));
    // A digest keeps no customer's name of its own: erasing a customer deletes their notice row, and their name with it.
    const digestRows = rows.filter((row) => row.sendKey.startsWith('notice-digest:'));
    expect(digestRows.map((row) => row.status)).toEqual(digestRows.map(() => 'sent'));
    expect(JSON.stringify(digestRows.map((row) => row.content))).not.toMatch(/来宾/);
  }, 240_000);
});
