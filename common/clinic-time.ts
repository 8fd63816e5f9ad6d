/**
 * The time zone a new clinic starts in (SPEC §5). The clinic's time zone itself has one source,
 * `clinic_settings.time_zone`: activities read it, workflows receive it from them, SQL reads the
 * row (db/compliance.store.ts), the dashboard asks `GET /api/clinic`. This is only the row's
 * default and what the dashboard shows before that answer.
 */
export const DEFAULT_CLINIC_TIME_ZONE = 'Asia/Shanghai';

/**
 * Calendar arithmetic in the clinic's time zone, with nothing but Intl (so workflows, the API and
 * the dashboard share it). Dates are 'YYYY-MM-DD' strings; instants are epoch milliseconds.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(ms: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour) % 24, mi: Number(parts.minute), s: Number(parts.second) };
}

/** True when `timeZone` is an IANA zone Intl knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The clinic-local calendar date of an instant. */
export function localDate(ms: number, timeZone: string): string {
  const { y, m, d } = wallClock(ms, timeZone);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a clinic-local date and time occurs. In a daylight-saving gap (02:30 on the spring
 * day) it is the first instant after the gap; in an overlap, the earlier of the two.
 */
export function zonedInstant(date: string, hour: number, minute: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return Math.min(first, second);
}

/** An instant as ISO-8601 wall-clock time in `timeZone` with that zone's offset: '2026-11-20T15:30:00+08:00'. */
export function isoInZone(ms: number, timeZone: string): string {
  const { h, mi, s } = wallClock(ms, timeZone);
  const offset = Math.round(offsetAt(ms, timeZone) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${localDate(ms, timeZone)}T${pad(h)}:${pad(mi)}:${pad(s)}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** The date `days` after `date` (negative goes back). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** True for a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The day a birthday ('MM-DD') is celebrated in `year`. The rule for 29 February: in a common
 * year it is greeted on 28 February (the last day of the birth month, as the clinic's records
 * and most people do), so it is neither skipped nor moved into March.
 */
export function birthdayIn(year: number, monthDay: string): string {
  const md = monthDay === '02-29' && !isLeapYear(year) ? '02-28' : monthDay;
  return `${String(year).padStart(4, '0')}-${md}`;
}

/** Month-days whose birthday falls on `date` (two on 28 Feb of a common year: 02-28 and 02-29). */
export function monthDaysCelebratedOn(date: string): string[] {
  const year = Number(date.slice(0, 4));
  const md = date.slice(5);
  return md === '02-28' && !isLeapYear(year) ? ['02-28', '02-29'] : [md];
}

/** An instant as the clinic reads it: '12月3日 15:00'. */
export function formatClinicTime(ms: number, timeZone: string): string {
  const { m, d, h, mi } = wallClock(ms, timeZone);
  return `${m}月${d}日 ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`;
}

/** The clinic's wall-clock time of an instant, to the second: '14:03:27'. */
export function formatClinicClock(ms: number, timeZone: string): string {
  const { h, mi, s } = wallClock(ms, timeZone);
  return [h, mi, s].map((n) => String(n).padStart(2, '0')).join(':');
}
