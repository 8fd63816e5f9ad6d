import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WeworkCallbackLog, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, deliverAgain, startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * An event workflow that failed (here: WeCom refused the customer read for good) can run again
 * under its own deterministic id once the cause is fixed; one that completed never runs twice.
 */

let db: TestDatabase;
let product: TestProduct;
let sessions: Record<'admin' | 'marketer' | 'viewer', Session>;
const em = () => db.orm.em.fork();

const rerun = (session: Session, workflowId: string) => fetch(`${product.apiUrl}/api/wework/events/rerun`, {
  method: 'POST', headers: session.headers(), body: JSON.stringify({ workflowId }),
});

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  sessions = await signInAsEveryRole(db.orm, (path, init) => fetch(`${product.apiUrl}${path}`, init));
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('a failed event workflow', () => {
  it('runs again under the same id after the fix, through the admins\' re-run action; a completed one is refused', async () => {
    // An edit event for a customer WeCom knows (made by a scan whose own callback is not delivered).
    const configId = await createChannelCode(db, product, { state: 'rerun', remark: '重跑', welcome: '您好' });
    product.sim.controls.setOptions({ callbackUrl: 'http://127.0.0.1:9/unreachable', callbackAttempts: 1 });
    const scan = product.sim.controls.scan({ config_id: configId, name: '重跑一' });
    await scan.done;
    product.sim.controls.setOptions({ callbackUrl: `${product.apiUrl}/api/wework/callback`, callbackAttempts: 3 });
    const edit = scan.delivery.xml
      .replace(/<ChangeType><!\[CDATA\[add_external_contact\]\]><\/ChangeType>/, '<ChangeType><![CDATA[edit_external_contact]]></ChangeType>')
      .replace(/<State>.*?<\/State>/, '').replace(/<WelcomeCode>.*?<\/WelcomeCode>/, '');
    const externalUserId = scan.customer.external_userid;

    // 48002 (no API permission) is a configuration error: the workflow fails at once.
    product.sim.controls.forceError(48002, 1, 'externalcontact/get');
    expect((await deliverAgain(product, edit)).status).toBe(200);
    let workflowId = '';
    await vi.waitFor(async () => {
      workflowId = (await em().findOneOrFail(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'edit_external_contact', outcome: 'accepted' })).workflowId!;
      expect((await product.temporal.client.workflow.getHandle(workflowId).describe()).status.name).toBe('FAILED');
    }, { timeout: 20_000, interval: 100 });
    expect(await em().count(WeworkCustomerFollow, { customer: { externalUserid: externalUserId } })).toBe(0);

    // Only admins may run it again.
    expect((await rerun(sessions.marketer, workflowId)).status).toBe(403);
    const again = await rerun(sessions.admin, workflowId);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ workflowId, started: true });
    const handle = product.temporal.client.workflow.getHandle(workflowId);
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await em().findOneOrFail(WeworkCustomerFollow, { customer: { externalUserid: externalUserId }, staffUserid: 'zhangsan' })).toMatchObject({ status: 'active' });
    expect((await em().findOneOrFail(WeworkCallbackLog, { workflowId })).processed).toBe(true);

    // Completed: the same id is never run twice, whoever asks.
    const twice = await rerun(sessions.admin, workflowId);
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe('event_not_failed');
    // WeCom redelivering the event changes nothing either.
    expect((await deliverAgain(product, edit)).status).toBe(200);
    await vi.waitFor(async () => {
      const runs: string[] = [];
      for await (const run of product.temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.status.name);
      expect(runs.sort()).toEqual(['COMPLETED', 'FAILED']);
    }, { timeout: 10_000, interval: 200 });
    expect((await rerun(sessions.admin, 'wecom:no-such-event')).status).toBe(404);
  });
});
