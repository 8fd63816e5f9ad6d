import { z } from 'zod';
import { isTimeZone } from './clinic-time.ts';
import { isoInstant } from './iso-instant.ts';

/** An ISO-8601 instant with its offset (or Z), e.g. 2026-12-03T15:00+08:00. */
const startsAt = isoInstant('startsAt must be an ISO-8601 time with an offset, e.g. 2026-12-03T15:00:00+08:00');

/** `POST /api/appointments` (SPEC §3, called by the clinic's booking system). */
export const createAppointmentRequestSchema = z.object({
  externalUserId: z.string({ error: 'externalUserId is required (the customer\'s WeCom external_userid)' }).min(1).max(64),
  staffUserId: z.string({ error: 'staffUserId is required (the WeCom UserID of the staff member)' }).min(1).max(64),
  project: z.string({ error: 'project is required (e.g. 水光针)' }).trim().min(1).max(100),
  startsAt,
});
/** Body of an appointment booking. */
export type CreateAppointmentRequest = z.infer<typeof createAppointmentRequestSchema>;

/** `PATCH /api/appointments/:id`: a new time. */
export const rescheduleAppointmentRequestSchema = z.object({ startsAt });

/** An appointment as the API shows it. */
export interface AppointmentView {
  id: number;
  customerId: number;
  externalUserId: string;
  customerName: string | null;
  staffUserId: string;
  project: string;
  startsAt: string;
  status: 'booked' | 'cancelled' | 'completed';
  source: 'api' | 'dashboard';
  reschedules: number;
  workflowId: string;
  reminders: Array<{ startsAt: string; offsetMinutes: number; audience: 'staff' | 'customer'; outcome: string; at: string }>;
  /**
   * The reminders of the current time at the clinic's offsets: sent (to staff and customer),
   * scheduled (the workflow's timer is set), skipped (already past when booked or moved), or
   * cancelled with the appointment.
   */
  reminderPlan: Array<{ offsetMinutes: number; at: string; state: 'sent' | 'scheduled' | 'skipped' | 'cancelled' }>;
}

/** `GET /api/appointments` query: a time window (the calendar's visible range). */
export const appointmentListQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  status: z.enum(['booked', 'cancelled', 'completed']).optional(),
});

/** 'YYYY-MM-DD' (with its year) or 'MM-DD' (year unknown), a real calendar day. */
export const birthdaySchema = z.string().refine((value) => parseBirthday(value) !== null, {
  error: "birthday must be 'YYYY-MM-DD' or 'MM-DD', a real calendar day",
});

/**
 * The year stored for an 'MM-DD' birthday (the column is a date): 1904 is a leap year, so 29
 * February fits, and no customer is that old. Read back as 'MM-DD'.
 */
export const UNKNOWN_BIRTH_YEAR = 1904;

/** The date to store for a birthday, or null when it is not a real day. */
export function parseBirthday(value: string): string | null {
  const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const year = match[1] ? Number(match[1]) : UNKNOWN_BIRTH_YEAR;
  const month = Number(match[2]);
  const day = Number(match[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year < 1900) return null;
  return date.toISOString().slice(0, 10);
}

/** A stored birthday as shown: 'MM-DD' when the year is unknown. */
export function showBirthday(stored: string | null): string | null {
  if (!stored) return null;
  return stored.startsWith(`${UNKNOWN_BIRTH_YEAR}-`) ? stored.slice(5) : stored;
}

/** `PUT /api/customers/by-external-id/:externalUserId/birthday` (SPEC §3). */
export const setBirthdayRequestSchema = z.object({ birthday: birthdaySchema });

/** `POST /api/automations/birthdays/run` (SPEC §3): the clinic-local day to run. */
export const runBirthdaysRequestSchema = z.object({
  date: z.iso.date({ error: "date must be 'YYYY-MM-DD'" }),
});

/** The clinic's automation settings as the API reads and writes them. */
export const automationSettingsSchema = z.object({
  timeZone: z.string().refine(isTimeZone, { error: 'timeZone must be an IANA time zone such as Asia/Shanghai' }),
  birthdayDaysBefore: z.number().int().min(0).max(60),
  birthdayHour: z.number().int().min(0).max(23),
  birthdayText: z.string().trim().min(1).max(1000),
  appointmentOffsetsMinutes: z.array(z.number().int().min(1).max(14 * 24 * 60)).min(1).max(5),
});
/** Automation settings. */
export type AutomationSettingsView = z.infer<typeof automationSettingsSchema>;

/** `PUT /api/automations/settings`: the same fields; without `timeZone` the clinic's zone stays as it is. */
export const automationSettingsUpdateSchema = automationSettingsSchema.partial({ timeZone: true });
/** What `PUT /api/automations/settings` takes. */
export type AutomationSettingsUpdate = z.infer<typeof automationSettingsUpdateSchema>;

/** One row of a birthday import file, after matching. */
export interface BirthdayImportRow {
  line: number;
  key: string;
  birthday: string;
  match: { customerId: number; externalUserId: string; name: string | null; by: 'external_id' | 'remark' | 'phone' } | null;
  error: string | null;
}

/** `POST /api/automations/birthdays/import` body: the file's rows, already read into cells. */
export const birthdayImportRequestSchema = z.object({
  rows: z.array(z.object({ key: z.string().max(200), birthday: z.string().max(40) })).min(1).max(20_000),
  apply: z.boolean().default(false),
});
