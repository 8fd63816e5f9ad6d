/**
 * Which crons a recurring campaign accepts. Temporal takes far more (seconds, years, `@every 1s`,
 * `CRON_TZ=`), but a campaign that fires every minute would message every customer every minute:
 * a campaign's cron has the five classic fields with one minute and one or a few hours, or one of
 * the daily-or-slower shorthands, in lower case as Temporal reads them. The zone goes in
 * `timezone`, not in the string. Every form accepted here was checked against the dev server.
 */

const SHORTHANDS = new Set(['@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually']);
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A field's value: a number in range, or a name (month, weekday) standing for one. */
function valueOf(text: string, min: number, max: number, names: readonly string[] = []): number | null {
  const named = names.indexOf(text.toUpperCase());
  if (named >= 0) return named + min;
  if (!/^\d{1,2}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** True when every comma-separated item is `*`, a value or a range, each with an optional `/step`. */
function isCalendarField(field: string, min: number, max: number, names: readonly string[] = []): boolean {
  return field.split(',').every((item) => {
    const [range, step, ...rest] = item.split('/');
    if (rest.length > 0 || range === undefined) return false;
    if (step !== undefined && !(/^\d{1,2}$/.test(step) && Number(step) >= 1)) return false;
    if (range === '*') return true;
    const [from, to, ...more] = range.split('-');
    if (more.length > 0) return false;
    const start = valueOf(from ?? '', min, max, names);
    if (start === null) return false;
    if (to === undefined) return step === undefined;
    const end = valueOf(to, min, max, names);
    return end !== null && end >= start;
  });
}

/**
 * Why `cron` cannot be a campaign's recurring schedule (an English sentence for API clients), or
 * null when it can. Examples that can: `0 10 * * 1` (Mondays 10:00), `30 9,18 1 * *`, `@weekly`.
 */
export function campaignCronProblem(cron: string): string | null {
  const text = cron.trim();
  if (SHORTHANDS.has(text)) return null;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return 'cron needs five fields: minute hour day-of-month month day-of-week (e.g. "0 10 * * 1", Mondays 10:00), or @daily, @weekly, @monthly';
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  if (valueOf(minute, 0, 59) === null) return 'the minute must be one number from 0 to 59: a campaign fires at most a few times a day';
  const hours = hour.split(',');
  if (hours.length > 4 || !hours.every((h) => valueOf(h, 0, 23) !== null)) return 'the hour must be a number from 0 to 23, or up to four of them separated by commas (e.g. 9,18)';
  if (!isCalendarField(dayOfMonth, 1, 31)) return 'the day of the month must be *, 1–31, a range (1-7) or a list';
  if (!isCalendarField(month, 1, 12, MONTH_NAMES)) return 'the month must be *, 1–12 or JAN–DEC, a range or a list';
  if (!isCalendarField(dayOfWeek, 0, 6, DAY_NAMES)) return 'the day of the week must be *, 0–6 (0 is Sunday) or SUN–SAT, a range or a list';
  return null;
}
