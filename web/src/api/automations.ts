import { z } from 'zod';
import type { JourneyStep } from '../../../common/journeys.schema.ts';
import { getJson, patchJson, postJson, putJson } from './client.ts';

const loose = z.record(z.string(), z.unknown());
const journeySummarySchema = z.object({ items: z.array(z.object({
  id: z.number(), name: z.string(), channel: z.string(), active: z.boolean(), currentVersion: z.number(), steps: z.array(loose), customers: z.number(), activeCustomers: z.number(),
})) });
const journeyDetailSchema = z.object({
  id: z.number(), name: z.string(), channel: z.string(), active: z.boolean(), currentVersion: z.number(),
  versions: z.array(z.object({ version: z.number(), steps: z.array(loose) })),
  counts: z.array(z.object({ version: z.number(), stepIndex: z.number(), status: z.string(), customers: z.number() })),
  enrollments: z.array(z.object({ externalUserId: z.string(), name: z.string().nullable(), version: z.number(), stepIndex: z.number(), status: z.string(), exitReason: z.string().nullable(), waitingUntil: z.string().nullable() })),
});
const importResultSchema = z.object({
  rows: z.array(z.object({ line: z.number(), key: z.string(), birthday: z.string(), match: z.object({ externalUserId: z.string(), name: z.string().nullable(), by: z.string() }).nullable(), error: z.string().nullable() })),
  matched: z.number(), errors: z.number(), applied: z.number(),
});
const appointmentsSchema = z.object({ items: z.array(z.object({
  id: z.number(), externalUserId: z.string(), customerName: z.string().nullable(), staffUserId: z.string(), project: z.string(), startsAt: z.string(),
  status: z.enum(['booked', 'cancelled', 'completed']), reschedules: z.number(), workflowId: z.string(),
  reminderPlan: z.array(z.object({ offsetMinutes: z.number(), at: z.string(), state: z.enum(['sent', 'scheduled', 'skipped', 'cancelled']) })),
})) });
const appointmentSchema = appointmentsSchema.shape.items.element;

/** Journey list with counts. */
export type JourneySummary = z.infer<typeof journeySummarySchema>['items'][number];
/** One journey with versions, counts per step and customers' positions. */
export type JourneyDetail = z.infer<typeof journeyDetailSchema>;
/** A birthday import's preview or result. */
export type BirthdayImportResult = z.infer<typeof importResultSchema>;
/** Appointments as listed. */
export type AppointmentRow = z.infer<typeof appointmentsSchema>['items'][number];

/** `GET /api/journeys`. */
export async function listJourneys(): Promise<JourneySummary[]> {
  return (await getJson('/api/journeys', journeySummarySchema)).items;
}
/** `GET /api/journeys/:id`. */
export function getJourney(id: number): Promise<JourneyDetail> {
  return getJson(`/api/journeys/${id}`, journeyDetailSchema);
}
/** `POST /api/journeys` or `PUT /api/journeys/:id` (a new version when the steps changed). */
export function saveJourney(input: { name: string; channel: string; active: boolean; steps: JourneyStep[] }, id?: number): Promise<{ id: number; version: number }> {
  const schema = z.object({ id: z.number(), version: z.number() });
  return id === undefined ? postJson('/api/journeys', input, schema) : putJson(`/api/journeys/${id}`, input, schema);
}
/** `POST /api/automations/birthdays/import` with the clinic's file (CSV or .xlsx, read by the API): a preview, or (apply) the write. */
export function importBirthdayFile(file: File, apply: boolean): Promise<BirthdayImportResult> {
  const form = new FormData();
  form.set('file', file);
  form.set('apply', String(apply));
  return postJson('/api/automations/birthdays/import', form, importResultSchema);
}
/** `GET /api/appointments`. */
export async function listAppointments(): Promise<AppointmentRow[]> {
  return (await getJson('/api/appointments', appointmentsSchema)).items;
}
/** `POST /api/appointments` (SPEC §3). */
export function bookAppointment(input: { externalUserId: string; staffUserId: string; project: string; startsAt: string }): Promise<{ id: number }> {
  return postJson('/api/appointments', input, z.object({ id: z.number() }));
}
/** `PATCH /api/appointments/:id` (SPEC §3): a new time, through the appointment workflow's Update. */
export function rescheduleAppointment(id: number, startsAt: string): Promise<AppointmentRow> {
  return patchJson(`/api/appointments/${id}`, { startsAt }, appointmentSchema);
}
/** `POST /api/appointments/:id/cancel` (SPEC §3), through the workflow's Update. */
export function cancelAppointment(id: number): Promise<AppointmentRow> {
  return postJson(`/api/appointments/${id}/cancel`, {}, appointmentSchema);
}
/** `GET /api/customers/by-external-id/:id/birthday`: 'YYYY-MM-DD', 'MM-DD' (year unknown) or null. */
export async function fetchBirthday(externalUserId: string): Promise<string | null> {
  return (await getJson(`/api/customers/by-external-id/${encodeURIComponent(externalUserId)}/birthday`, z.object({ birthday: z.string().nullable() }))).birthday;
}
/** `PUT /api/customers/by-external-id/:id/birthday` (SPEC §3). */
export async function saveBirthday(externalUserId: string, birthday: string): Promise<string | null> {
  return (await putJson(`/api/customers/by-external-id/${encodeURIComponent(externalUserId)}/birthday`, { birthday }, z.object({ birthday: z.string().nullable() }))).birthday;
}
