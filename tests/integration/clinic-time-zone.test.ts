import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumptionImportResult } from '../../common/campaigns.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { WeworkCustomer } from '../../db/entities/index.ts';
import { signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let admin: Session;
const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);

/** The daily Schedules that run at a clinic hour, and that hour. */
const DAILY = [
  { id: workflowIds.customerSyncSchedule(), hour: 3 },
  { id: workflowIds.retentionPurgeSchedule(), hour: 4 },
  { id: workflowIds.staffBehaviorSchedule(), hour: 5 },
  { id: workflowIds.birthdaySchedule(), hour: null },
];
const zonesOf = () => Promise.all(DAILY.map(async ({ id }) => (await product.temporal.client.schedule.getHandle(id).describe()).spec.timezone));

async function setZone(timeZone: string): Promise<Response> {
  return request('/api/compliance/settings', { method: 'PUT', headers: admin.headers(), body: JSON.stringify({ timeZone }) });
}

async function previewImport(csv: string): Promise<ConsumptionImportResult> {
  const form = new FormData();
  form.append('file', new File([csv], 'visits.csv', { type: 'text/csv' }));
  const { 'content-type': _json, ...headers } = admin.headers();
  const response = await request('/api/consumptions/import', { method: 'POST', headers, body: form });
  expect(response.status).toBe(200);
  return (await response.json()) as ConsumptionImportResult;
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ admin } = await signInAsEveryRole(db.orm, request));
  const em = db.orm.em.fork();
  em.create(WeworkCustomer, { externalUserid: 'wmZone1', name: '时区', type: 1 });
  await em.flush();
});
afterAll(async () => {
  for (const { id } of DAILY) await product?.temporal.client.schedule.getHandle(id).delete().catch(() => undefined);
  await product?.stop();
  await db?.drop();
});

describe('the clinic time zone (clinic_settings.time_zone)', () => {
  it('moves the daily sync, retention, staff-behaviour and birthday Schedules when the clinic changes it', async () => {
    const saved = await setZone('Europe/Berlin');
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ timeZone: 'Europe/Berlin' });
    expect(await zonesOf()).toEqual(['Europe/Berlin', 'Europe/Berlin', 'Europe/Berlin', 'Europe/Berlin']);
    for (const { id, hour } of DAILY.filter((schedule) => schedule.hour !== null)) {
      const { spec } = await product.temporal.client.schedule.getHandle(id).describe();
      expect(spec.calendars?.[0]).toMatchObject({ hour: [{ start: hour, end: hour, step: 1 }] });
    }
    // The automation settings page changes the same zone, and the Schedules follow it there too.
    const settings = (await (await request('/api/automations/settings', { headers: admin.headers() })).json()) as Record<string, unknown>;
    const automation = await request('/api/automations/settings', { method: 'PUT', headers: admin.headers(), body: JSON.stringify({ ...settings, timeZone: 'America/New_York' }) });
    expect(await automation.json()).toMatchObject({ timeZone: 'America/New_York', scheduleWarning: null });
    expect(await zonesOf()).toEqual(['America/New_York', 'America/New_York', 'America/New_York', 'America/New_York']);
  });

  it('moves recurring campaigns on the clinic’s clock with it, leaves those with their own zone, and gives both the current overlap policy', async () => {
    const create = async (name: string, schedule: Record<string, string>) => {
      const response = await request('/api/campaigns', { method: 'POST', headers: admin.headers(), body: JSON.stringify({ name, audience: {}, content: { text: '每周一护肤提醒' }, schedule }) });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: number }).id;
    };
    expect((await setZone('Asia/Shanghai')).status).toBe(200);
    const clinicClock = await create('每周一', { cron: '0 10 * * 1' });
    const ownZone = await create('东京每周一', { cron: '0 10 * * 1', timezone: 'Asia/Tokyo' });
    const zoneOf = async (id: number) => (await product.temporal.client.schedule.getHandle(workflowIds.campaignSchedule(id)).describe()).spec.timezone;
    expect([await zoneOf(clinicClock), await zoneOf(ownZone)]).toEqual(['Asia/Shanghai', 'Asia/Tokyo']);
    // As Schedules made before ALLOW_ALL were (their fires were skipped while a run still tracked confirmations).
    const overlapOf = async (id: number) => (await product.temporal.client.schedule.getHandle(workflowIds.campaignSchedule(id)).describe()).policies.overlap;
    for (const id of [clinicClock, ownZone]) {
      await product.temporal.client.schedule.getHandle(workflowIds.campaignSchedule(id)).update((previous) => ({ ...previous, policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP } }));
    }
    const saved = await setZone('Europe/Berlin');
    expect(await saved.json()).toMatchObject({ timeZone: 'Europe/Berlin', schedulesPending: [] });
    expect([await zoneOf(clinicClock), await zoneOf(ownZone)]).toEqual(['Europe/Berlin', 'Asia/Tokyo']);
    // The same follow-up runs at every API start: older Schedules get the current overlap policy.
    expect([await overlapOf(clinicClock), await overlapOf(ownZone)]).toEqual([ScheduleOverlapPolicy.ALLOW_ALL, ScheduleOverlapPolicy.ALLOW_ALL]);
    for (const id of [clinicClock, ownZone]) await product.temporal.client.schedule.getHandle(workflowIds.campaignSchedule(id)).delete();
  });

  it('reads spreadsheet dates without a zone as the clinic’s wall-clock time', async () => {
    const csv = ['客户,类型,日期,单号', 'wmZone1,到店,2026-11-20 15:30,Z-1', 'wmZone1,到店,2026-07-01,Z-2', 'wmZone1,到店,46000.5,Z-3'].join('\n');
    expect((await setZone('Asia/Shanghai')).status).toBe(200);
    const shanghai = await previewImport(csv);
    expect(shanghai.rows.map((row) => row.occurredAt)).toEqual(['2026-11-20T15:30:00+08:00', '2026-07-01T00:00:00+08:00', '2025-12-09T12:00:00+08:00']);
    expect((await setZone('America/New_York')).status).toBe(200);
    const newYork = await previewImport(csv);
    // New York is at UTC−5 in November and UTC−4 (daylight saving) in July: the same cells are other instants.
    expect(newYork.rows.map((row) => row.occurredAt)).toEqual(['2026-11-20T15:30:00-05:00', '2026-07-01T00:00:00-04:00', '2025-12-09T12:00:00-05:00']);
    expect(new Date(newYork.rows[0]!.occurredAt!).toISOString()).toBe('2026-11-20T20:30:00.000Z');
    expect(newYork.rows.every((row) => row.error === null)).toBe(true);
  });
});
