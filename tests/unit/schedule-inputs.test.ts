import { describe, expect, it } from 'vitest';
import { campaignCronProblem } from '../../common/campaign-cron.ts';
import { parseIsoInstant } from '../../common/iso-instant.ts';

describe('a recurring campaign\'s cron', () => {
  it('takes the five classic fields with one minute and up to four hours, names and ranges, and the daily-or-slower shorthands', () => {
    for (const cron of ['0 10 * * 1', '30 9,18 1 * *', '0 10 * * MON-FRI', '0 8 1-7 JAN,jul *', '0 9 */2 * *', '0 9 1-31/2 * 0', '@weekly', '@monthly', '@daily', '@midnight', '@yearly', '@annually', '  0 10 * * 1 ', '0 10 29 FEB sat']) {
      expect(campaignCronProblem(cron), cron).toBeNull();
    }
  });

  it('refuses what would fire every minute or hour, other field counts, Temporal-only forms and out-of-range values, saying which field', () => {
    expect(campaignCronProblem('* * * * *')).toMatch(/^the minute/);
    expect(campaignCronProblem('*/5 10 * * *')).toMatch(/^the minute/);
    expect(campaignCronProblem('0 * * * *')).toMatch(/^the hour/);
    expect(campaignCronProblem('0 1,2,3,4,5 * * *')).toMatch(/^the hour/);
    expect(campaignCronProblem('0 24 * * *')).toMatch(/^the hour/);
    expect(campaignCronProblem('0 10 32 * *')).toMatch(/^the day of the month/);
    expect(campaignCronProblem('0 10 5-1 * *')).toMatch(/^the day of the month/);
    expect(campaignCronProblem('0 10 * 13 *')).toMatch(/^the month/);
    expect(campaignCronProblem('0 10 * * 7')).toMatch(/^the day of the week/);
    expect(campaignCronProblem('0 10 * * L')).toMatch(/^the day of the week/);
    // Temporal reads only lower-case shorthands ("CronString does not have 5-7 fields").
    for (const cron of ['@Monthly', '@hourly', '@every 1s', '0 0 10 * * 1', '0 10 * * 1 2027', 'CRON_TZ=Asia/Shanghai 0 10 * * 1', '', 'every monday']) {
      expect(campaignCronProblem(cron), cron).toMatch(/^cron needs five fields/);
    }
  });
});

describe('ISO-8601 instants with an offset', () => {
  it('reads the forms booking systems print: without seconds, with fractions, ±hhmm, ±hh, lowercase t and z', () => {
    const expected = Date.UTC(2026, 11, 3, 7, 0, 0);
    for (const text of ['2026-12-03T15:00+08:00', '2026-12-03T15:00:00+08:00', '2026-12-03T15:00:00.000+0800', '2026-12-03T15:00+08', '2026-12-03t07:00z', '2026-12-03T07:00:00Z', '2026-12-02T23:00:00-08:00']) {
      expect(parseIsoInstant(text)?.getTime(), text).toBe(expected);
    }
    expect(parseIsoInstant('2026-12-03T15:00:00.25+08:00')?.getTime()).toBe(expected + 250);
    expect(parseIsoInstant('2028-02-29T00:00:00Z')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it('refuses a time without an offset (its zone would be a guess), days the calendar lacks and impossible clocks', () => {
    for (const text of ['2026-12-03T15:00:00', '2026-12-03 15:00:00+08:00', '2026-02-29T10:00:00Z', '2026-13-01T10:00:00Z', '2026-12-03T24:00:00Z', '2026-12-03T10:60:00Z', '2026-12-03T10:00:00+08:60', '2026-12-03', 'tomorrow']) {
      expect(parseIsoInstant(text), text).toBeNull();
    }
  });
});
