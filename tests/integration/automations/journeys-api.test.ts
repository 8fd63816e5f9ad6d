import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWeComAccess } from '../../../activities/wecom-access.ts';
import { workflowIds } from '../../../common/workflow-ids.ts';
import { SecretBox } from '../../../db/secret-box.ts';
import { WeworkContactWay } from '../../../db/entities/index.ts';
import { signInAsEveryRole, type Session } from '../../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../../setup/database.ts';
import { startTestProduct, type TestProduct } from '../../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;
const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const send = (session: Session, path: string, body: unknown, method = 'POST') => request(path, { method, headers: session.headers(), body: JSON.stringify(body) });

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ marketer, viewer } = await signInAsEveryRole(db.orm, request));
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('journeys API and onboarding hand-over', () => {
  it('validates steps, versions edits, and a scan of the channel code enters the journey (onboarding → journey:<customer>:<staff>)', async () => {
    const bad = await send(marketer, '/api/journeys', { name: '坏的', channel: 'xhs_j', steps: [{ kind: 'branch', condition: { type: 'booked' }, elseSkip: 2 }, { kind: 'exit' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/skips past the last step/);

    // A send step is marketing: a term of the clinic's forbidden list is refused (422) with its step named.
    const claim = await send(marketer, '/api/journeys', { name: '夸大', channel: 'xhs_j', steps: [{ kind: 'wait', duration: { days: 1 } }, { kind: 'send', text: '祛斑根治，效果最好' }] });
    expect(claim.status).toBe(422);
    expect(((await claim.json()) as { error: { code: string; field: string } }).error).toMatchObject({ code: 'forbidden_terms', field: 'steps.1.text' });

    const steps = [{ kind: 'send', text: '欢迎来到星颜，送您一份护肤小贴士' }, { kind: 'wait', duration: { days: 3 } }, { kind: 'send', text: '第三天回访' }];
    const created = await send(marketer, '/api/journeys', { name: '小红书新客旅程', channel: 'xhs_j', steps });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number; version: number };
    expect((await send(marketer, '/api/journeys', { name: '重复', channel: 'xhs_j', steps })).status).toBe(409);
    const edited = await send(marketer, `/api/journeys/${id}`, { name: '小红书新客旅程', channel: 'xhs_j', steps: [...steps, { kind: 'tag', tag: '已回访' }] }, 'PUT');
    expect(await edited.json()).toMatchObject({ id, version: 2 });

    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    const way = await api.contactWay.add({ type: 1, scene: 2, state: 'xhs_j', user: ['zhangsan'], remark: '小红书' });
    const em = db.orm.em.fork();
    em.create(WeworkContactWay, { configId: way.config_id, type: 1, scene: 2, state: 'xhs_j', remark: '小红书', userIds: ['zhangsan'] });
    await em.flush();
    const scan = product.sim.controls.scan({ config_id: way.config_id, name: '旅程客户' });
    await scan.done;
    const externalUserId = scan.customer.external_userid;

    await expect.poll(async () => {
      const detail = (await (await request(`/api/journeys/${id}`, { headers: viewer.headers() })).json()) as { enrollments: Array<{ externalUserId: string; version: number; stepIndex: number; status: string }> };
      return detail.enrollments.find((e) => e.externalUserId === externalUserId);
    }, { timeout: 20_000 }).toMatchObject({ version: 2, stepIndex: 1, status: 'active' });
    const handle = product.temporal.client.workflow.getHandle(workflowIds.journey(externalUserId, 'zhangsan'));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const detail = (await (await request(`/api/journeys/${id}`, { headers: viewer.headers() })).json()) as { counts: Array<{ version: number; stepIndex: number; status: string; customers: number }> };
    expect(detail.counts).toContainEqual({ journeyId: id, version: 2, stepIndex: 1, status: 'active', customers: 1 });

    // The customer deletes the staff member: customerLostWorkflow ends the journey.
    await product.sim.controls.customerDeletesStaff({ external_userid: externalUserId, userid: 'zhangsan' }).done;
    expect(await handle.result()).toMatchObject({ status: 'exited', exitReason: 'lost' });
  });
});
