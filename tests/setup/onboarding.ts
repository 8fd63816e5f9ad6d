import { expect, vi } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { WeworkCallbackLog, WeworkContactWay, WeworkCustomer } from '../../db/entities/index.ts';
import type { TestDatabase } from './database.ts';
import type { TestProduct } from './product.ts';

/** A 小红书 channel code for `zhangsan`, created in the simulator and stored as the product stores it. */
export async function createChannelCode(db: TestDatabase, product: TestProduct, state: string): Promise<string> {
  const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
  const created = await api.contactWay.add({ type: 1, scene: 2, state, user: ['zhangsan'], remark: '小红书' });
  const manager = db.orm.em.fork();
  manager.create(WeworkContactWay, { configId: created.config_id, type: 1, scene: 2, state, remark: '小红书', userIds: ['zhangsan'] });
  await manager.flush();
  return created.config_id;
}

/** A customer named `name` scans the code; resolves once the product has onboarded them (real callback, real workflow). */
export async function scanAndOnboard(db: TestDatabase, product: TestProduct, configId: string, name: string): Promise<{ id: number; externalUserId: string }> {
  const scan = product.sim.controls.scan({ config_id: configId, name });
  await scan.done;
  const externalUserId = scan.customer.external_userid;
  await vi.waitFor(async () => {
    const logs = await db.orm.em.fork().find(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact' });
    expect(logs.length > 0 && logs.every((log) => log.processed)).toBe(true);
  }, { timeout: 20_000, interval: 100 });
  const customer = await db.orm.em.fork().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId });
  return { id: customer.id, externalUserId };
}

/** The texts of the app messages that reached `userId` in the simulator (WeCom's dropped ones excluded), oldest first. */
export function appTextsTo(product: TestProduct, userId: string): string[] {
  return product.sim.controls.messages('app').filter((m) => m.to.includes(userId))
    .map((m) => String((m.body as { text?: { content?: string } }).text?.content ?? ''));
}

/** How many of the delivered texts name each of `names` ("新客户 <name> 来自…", alone or in a digest). */
export function noticesNaming(texts: string[], names: string[]): number[] {
  return names.map((name) => texts.filter((text) => text.includes(`新客户 ${name} 来自`)).length);
}
