import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { workflowIds } from '../../../common/workflow-ids.ts';
import { Lead, WeworkCustomer, WeworkCustomerFollow } from '../../../db/entities/index.ts';
import { appointmentStateQuery } from '../../../workflows/automations.definitions.ts';
import { signInAsEveryRole, type Session } from '../../setup/auth.ts';
import { mirrorSimCustomers } from '../../setup/campaigns.ts';
import { createTestDatabase, type TestDatabase } from '../../setup/database.ts';
import { startTestProduct, type TestProduct } from '../../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;
const DAY = 86_400_000;

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const post = (session: Session, path: string, body: unknown, method = 'POST') => request(path, { method, headers: session.headers(), body: JSON.stringify(body) });

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ marketer, viewer } = await signInAsEveryRole(db.orm, request));
  const em = db.orm.em.fork();
  const lead = em.create(Lead, { name: '王小美', source: 'wework_xhs', status: 'new' });
  const customer = em.create(WeworkCustomer, { externalUserid: 'wmBooker', name: '王小美', lead });
  em.create(WeworkCustomerFollow, { customer, staffUserid: 'zhangsan' });
  await em.flush();
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('Automations API: appointments (SPEC §3)', () => {
  it('books an appointment: 201 { id }, one reminder workflow, and the lead counts as booked', async () => {
    const startsAt = new Date(Date.now() + 3 * DAY).toISOString();
    const response = await post(marketer, '/api/appointments', { externalUserId: 'wmBooker', staffUserId: 'zhangsan', project: '水光针', startsAt });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    expect(id).toBeGreaterThan(0);
    const state = await product.temporal.client.workflow.getHandle(workflowIds.appointment(id)).query(appointmentStateQuery);
    expect(state).toMatchObject({ startsAt, cancelled: false, reminders: [] });
    const lead = await db.orm.em.fork().findOneOrFail(Lead, { name: '王小美' });
    expect(lead.status).toBe('booked');

    const listed = await (await request('/api/appointments', { headers: viewer.headers() })).json() as { items: Array<{ id: number; status: string; customerName: string }> };
    expect(listed.items).toContainEqual(expect.objectContaining({ id, status: 'booked', customerName: '王小美' }));
  });

  it('reschedules through PATCH (the workflow takes the new time, written without seconds and with +08:00) and cancels through POST …/cancel', async () => {
    const created = await post(marketer, '/api/appointments', { externalUserId: 'wmBooker', staffUserId: 'zhangsan', project: '热玛吉', startsAt: new Date(Date.now() + 2 * DAY).toISOString() });
    const { id } = (await created.json()) as { id: number };
    // As a booking system in Java writes a time on the minute: no seconds, Beijing offset.
    const movedMs = Math.floor((Date.now() + 5 * DAY) / 60_000) * 60_000;
    const moved = new Date(movedMs).toISOString();
    const beijing = `${new Date(movedMs + 8 * 3_600_000).toISOString().slice(0, 16)}+08:00`;
    const patched = await post(marketer, `/api/appointments/${id}`, { startsAt: beijing }, 'PATCH');
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id, startsAt: moved, reschedules: 1, status: 'booked' });
    const handle = product.temporal.client.workflow.getHandle(workflowIds.appointment(id));
    expect((await handle.query(appointmentStateQuery)).startsAt).toBe(moved);

    const cancelled = await request(`/api/appointments/${id}/cancel`, { method: 'POST', headers: marketer.headers() });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    expect(await handle.result()).toMatchObject({ cancelled: true, reminders: [] });
    const again = await post(marketer, `/api/appointments/${id}`, { startsAt: moved }, 'PATCH');
    expect(again.status).toBe(409);
  });

  it('a cancel withdraws a customer reminder whose 群发 task the staff member has not confirmed yet', async () => {
    // A customer WeCom knows, reminded one minute before: the reminder fires a few seconds after booking.
    product.sim.controls.setOptions({ groupMsgConfirmDelayMs: null });
    await mirrorSimCustomers(db.orm, product.sim);
    const [externalUserId, follows] = [...product.sim.state.followsByCustomer].find(([, byUser]) => [...byUser.values()].some((f) => !f.deleted))!;
    const staffUserId = [...follows.values()].find((f) => !f.deleted)!.userid;
    await db.orm.em.fork().getConnection().execute(`update automation_settings set appointment_offsets_minutes = '[1]'::jsonb`);
    const booked = await post(marketer, '/api/appointments', { externalUserId, staffUserId, project: '光子嫩肤', startsAt: new Date(Date.now() + 65_000).toISOString() });
    const { id } = (await booked.json()) as { id: number };
    const task = async () => [...product.sim.state.groupMsgs.values()].find((msg) => JSON.stringify(msg.text).includes('光子嫩肤'));
    await vi.waitFor(async () => expect(await task()).toBeDefined(), { timeout: 30_000, interval: 250 });
    expect((await task())!.canceled).toBeFalsy();

    expect((await request(`/api/appointments/${id}/cancel`, { method: 'POST', headers: marketer.headers() })).status).toBe(200);
    // The unconfirmed task is cancelled in WeCom, and its run says so.
    await vi.waitFor(async () => expect((await task())!.canceled).toBe(true), { timeout: 15_000, interval: 250 });
    const [run] = await db.orm.em.fork().getConnection().execute<Array<{ status: string }>>(`select status from send_runs where workflow_id like ?`, [`appointment:${id}:%:customer`]);
    expect(run!.status).toBe('cancelled');
    await db.orm.em.fork().getConnection().execute(`update automation_settings set appointment_offsets_minutes = '[1440, 120]'::jsonb`);
  }, 60_000);

  it('answers clear 400s, 404s for unknown customers and appointments, and 403 for a viewer', async () => {
    const future = new Date(Date.now() + DAY).toISOString();
    const missing = await post(marketer, '/api/appointments', { staffUserId: 'zhangsan', project: '水光针', startsAt: future });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { code: string; message: string } }).error.message).toMatch(/externalUserId/);
    const badTime = await post(marketer, '/api/appointments', { externalUserId: 'wmBooker', staffUserId: 'zhangsan', project: '水光针', startsAt: 'tomorrow' });
    expect(badTime.status).toBe(400);
    expect(((await badTime.json()) as { error: { message: string } }).error.message).toMatch(/startsAt/);
    const past = await post(marketer, '/api/appointments', { externalUserId: 'wmBooker', staffUserId: 'zhangsan', project: '水光针', startsAt: new Date(Date.now() - DAY).toISOString() });
    expect(past.status).toBe(400);
    const unknownCustomer = await post(marketer, '/api/appointments', { externalUserId: 'wmNobody', staffUserId: 'zhangsan', project: '水光针', startsAt: future });
    expect(unknownCustomer.status).toBe(404);
    expect(((await unknownCustomer.json()) as { error: { code: string } }).error.code).toBe('customer_not_found');
    expect((await post(marketer, '/api/appointments/999999', { startsAt: future }, 'PATCH')).status).toBe(404);
    expect((await request('/api/appointments/999999/cancel', { method: 'POST', headers: marketer.headers() })).status).toBe(404);
    expect((await post(viewer, '/api/appointments', { externalUserId: 'wmBooker', staffUserId: 'zhangsan', project: '水光针', startsAt: future })).status).toBe(403);
  });
});
