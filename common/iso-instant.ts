import { z } from 'zod';

// ISO-8601 / RFC 3339 date-time with its offset. Seconds and fractions are optional (Java's
// OffsetDateTime prints 15:00+08:00 on the hour), the offset may be Z, ±hh:mm, ±hhmm or ±hh.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** True when the calendar has this day (month 1–12, day within the month, 29 February in leap years). */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The instant an ISO-8601 date-time with an offset names, or null when it is not one (or no such day). */
export function parseIsoInstant(text: string): Date | null {
  const match = INSTANT.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s = '00', fraction = '', zulu, sign, offsetH = '00', offsetM = '00'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  if (!zulu && (Number(offsetH) > 23 || Number(offsetM) > 59)) return null;
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetH) * 60 + Number(offsetM));
  const ms = Number(`0${fraction}`) * 1000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(ms) - offsetMinutes * 60_000);
}

/**
 * A zod string of an ISO-8601 instant with its offset, given back in one canonical form
 * (`toISOString()`, UTC), so what is stored and compared later is unambiguous.
 */
export function isoInstant(message: string) {
  return z.string({ error: message }).transform((text, context) => {
    const instant = parseIsoInstant(text.trim());
    if (instant) return instant.toISOString();
    context.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}
