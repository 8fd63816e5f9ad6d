import { writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { workflowIds } from '../../common/workflow-ids.ts';
import { Tag, WeworkCallbackLog, WeworkCustomer } from '../../db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, deliverAgain, startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * Re-records tests/fixtures/histories/*.json: runs every workflow of workflows/index.ts once
 * through the real product (API, worker, simulator) and saves its Temporal history. Skipped unless
 * RECORD_HISTORIES=1 (`npm run record:histories`). Re-record after a deliberate, patched() change
 * and commit the new files next to the old ones: old histories must keep replaying
 * (tests/unit/workflow-replay.test.ts).
 */

const RECORD = process.env.RECORD_HISTORIES === '1';
const DIR = new URL('../fixtures/histories/', import.meta.url);

let db: TestDatabase;
let product: TestProduct;
const em = () => db.orm.em.fork();

async function save(workflowType: string, workflowId: string) {
  const handle = product.temporal.client.workflow.getHandle(workflowId);
  await handle.result();
  const history = await handle.fetchHistory();
  writeFileSync(new URL(`${workflowType}.json`, DIR), `${historyToJSON(history)}\n`);
}

/** The workflow id the callback endpoint used for the event this XML carries. */
async function workflowOf(changeType: string, externalUserId: string | null) {
  let id = '';
  await vi.waitFor(async () => {
    const log = await em().findOneOrFail(WeworkCallbackLog, { changeType, ...(externalUserId ? { externalUserid: externalUserId } : {}), outcome: 'accepted', processed: true }, { orderBy: { id: 'desc' } });
    id = log.workflowId!;
  }, { timeout: 30_000, interval: 100 });
  return id;
}

describe.runIf(RECORD)('recording workflow histories', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    product = await startTestProduct(db);
  });
  afterAll(async () => {
    await product?.stop();
    await db?.drop();
  });

  it('records one run of every workflow', async () => {
    const configId = await createChannelCode(db, product, { state: 'record', remark: '录制', welcome: '{name}您好' });
    const scan = product.sim.controls.scan({ config_id: configId, name: '录制' });
    const externalUserId = scan.customer.external_userid;
    await scan.done;
    await save('onboardCustomerWorkflow', await workflowOf('add_external_contact', externalUserId));

    const add = scan.delivery.xml;
    const other = (changeType: string, extra = '') => add
      .replace(/<ChangeType><!\[CDATA\[add_external_contact\]\]><\/ChangeType>/, `<ChangeType><![CDATA[${changeType}]]></ChangeType>${extra}`)
      .replace(/<State>.*?<\/State>/, '').replace(/<WelcomeCode>.*?<\/WelcomeCode>/, '')
      .replace(/<CreateTime>(\d+)<\/CreateTime>/, (_, t: string) => `<CreateTime>${Number(t) + 1}</CreateTime>`);
    expect((await deliverAgain(product, other('edit_external_contact'))).status).toBe(200);
    await save('refreshCustomerWorkflow', await workflowOf('edit_external_contact', externalUserId));
    expect((await deliverAgain(product, other('transfer_fail', '<FailReason><![CDATA[customer_refused]]></FailReason>'))).status).toBe(200);
    await save('recordTransferFailureWorkflow', await workflowOf('transfer_fail', externalUserId));

    const customer = await em().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId });
    const tag = await em().findOneOrFail(Tag, { name: '录制' });
    const tagsId = workflowIds.customerTags(externalUserId, 'recorded');
    await product.temporal.client.workflow.start('customerTagsWorkflow', {
      taskQueue: product.taskQueue, workflowId: tagsId, args: [{ version: 1, customerId: customer.id, externalUserId, add: [tag.id], remove: [] }],
    });
    await save('customerTagsWorkflow', tagsId);

    expect((await deliverAgain(product, other('del_follow_user'))).status).toBe(200);
    await save('customerLostWorkflow', await workflowOf('del_follow_user', externalUserId));

    const now = Math.floor(Date.now() / 1000);
    const corp = /<ToUserName><!\[CDATA\[(.*?)\]\]><\/ToUserName>/.exec(add)![1];
    const tagEvent = `<xml><ToUserName><![CDATA[${corp}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event><Id><![CDATA[${tag.wecomTagId}]]></Id><TagType><![CDATA[tag]]></TagType><ChangeType><![CDATA[update]]></ChangeType></xml>`;
    expect((await deliverAgain(product, tagEvent)).status).toBe(200);
    await save('syncCorpTagsWorkflow', await workflowOf('change_external_tag', null));
    const message = `<xml><ToUserName><![CDATA[${corp}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[录制]]></Content><MsgId>${now}000001</MsgId><AgentID>1000002</AgentID></xml>`;
    expect((await deliverAgain(product, message)).status).toBe(200);
    await save('storeStaffMessageWorkflow', await workflowOf('message', null));

    await product.temporal.client.workflow.start('customerSyncWorkflow', { taskQueue: product.taskQueue, workflowId: workflowIds.customerSync(), args: [{ version: 1, trigger: 'manual' }] });
    await save('customerSyncWorkflow', workflowIds.customerSync());
    const probe = await product.temporal.runHealthProbe(30_000);
    expect(probe.result.databaseOk).toBe(true);
    await save('healthProbeWorkflow', workflowIds.healthProbe(product.taskQueue));
  }, 180_000);
});
