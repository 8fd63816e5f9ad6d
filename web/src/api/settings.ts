import { retentionSettingsSchema, type RetentionSettings } from '../../../common/privacy.schema.ts';
import { z } from 'zod';
import { automationSettingsSchema, type AutomationSettingsUpdate, type AutomationSettingsView } from '../../../common/automations.schema.ts';
import { deleteJson, getJson, postJson, putJson } from './client.ts';

/** `GET /api/clinic`: the clinic's time zone (its settings row). */
export function fetchClinic(): Promise<{ timeZone: string }> {
  return getJson('/api/clinic', z.object({ timeZone: z.string() }));
}

/** `GET /api/settings/retention` (admin): how long callback logs and messages are kept. */
export function fetchRetention(): Promise<RetentionSettings> {
  return getJson('/api/settings/retention', retentionSettingsSchema);
}

/** `PUT /api/settings/retention` (admin): null days keep the rows forever. */
export function saveRetention(settings: RetentionSettings): Promise<RetentionSettings> {
  return putJson('/api/settings/retention', settings, retentionSettingsSchema);
}

/** A daily Schedule that could not follow a settings change yet (it follows at the next API start). */
export type PendingSchedule = 'customerSync' | 'retentionPurge' | 'staffBehaviorSync' | 'birthdayGreetings' | 'recurringCampaigns';

/** The clinic's sending rules: its time zone, quiet hours (null: off) and monthly cap per customer (null: WeCom's only). */
const clinicRulesSchema = z.object({
  timeZone: z.string(),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  monthlyCap: z.number().nullable(),
});
/** What the rules panel shows and saves. */
export type ClinicRules = z.infer<typeof clinicRulesSchema>;

/** `GET /api/compliance/settings`. */
export function fetchClinicRules(): Promise<ClinicRules> {
  return getJson('/api/compliance/settings', clinicRulesSchema);
}

/** `PUT /api/compliance/settings` (admin): answers the saved rules and the Schedules still to follow a zone change. */
export function saveClinicRules(rules: ClinicRules): Promise<ClinicRules & { schedulesPending: PendingSchedule[] }> {
  return putJson('/api/compliance/settings', rules, clinicRulesSchema.extend({ schedulesPending: z.array(z.custom<PendingSchedule>((v) => typeof v === 'string')).default([]) }));
}

/** `GET /api/automations/settings`. */
export function fetchAutomationSettings(): Promise<AutomationSettingsView> {
  return getJson('/api/automations/settings', automationSettingsSchema);
}

/** `PUT /api/automations/settings` (admin, marketer). */
export function saveAutomationSettings(settings: AutomationSettingsUpdate): Promise<AutomationSettingsView & { schedulesPending: PendingSchedule[] }> {
  return putJson('/api/automations/settings', settings, automationSettingsSchema.extend({ schedulesPending: z.array(z.custom<PendingSchedule>((v) => typeof v === 'string')).default([]) }));
}

/** One entry of the forbidden-term list. */
export type ForbiddenTermRow = { id: number; term: string; reason: string };

/** `POST /api/compliance/terms` (admin). */
export function addForbiddenTerm(term: { term: string; reason: string }): Promise<ForbiddenTermRow> {
  return postJson('/api/compliance/terms', term, z.object({ id: z.number(), term: z.string(), reason: z.string() }));
}

/** `DELETE /api/compliance/terms/:id` (admin). */
export function removeForbiddenTerm(id: number): Promise<unknown> {
  return deleteJson(`/api/compliance/terms/${id}`, z.unknown());
}
