import { ref } from 'vue';
import { DEFAULT_CLINIC_TIME_ZONE } from '../../../common/clinic-time.ts';
import { useAppLocale } from '../i18n/index.ts';

/** BCP 47 tag per dashboard language, for numbers and dates. */
const INTL_TAGS = { 'zh-CN': 'zh-CN', en: 'en-US' } as const;

/** The clinic's time zone as `GET /api/clinic` answered (its settings row); reactive, so dates re-render when it arrives. */
const clinicTimeZone = ref(DEFAULT_CLINIC_TIME_ZONE);

/** Sets the clinic's time zone (the auth store calls it once signed in). */
export function setClinicTimeZone(timeZone: string): void {
  clinicTimeZone.value = timeZone;
}

/** The clinic's time zone the dashboard shows days and times in. */
export function currentClinicTimeZone(): string {
  return clinicTimeZone.value;
}

/** A date's parts in the clinic's time zone (year-month-day hour:minute). */
function clinicParts(date: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: clinicTimeZone.value, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** The clinic's calendar day of `date` as `YYYY-MM-DD`. */
export function clinicDay(date: Date = new Date()): string {
  const p = clinicParts(date);
  return `${p.year}-${p.month}-${p.day}`;
}

/** `YYYY-MM-DD` `days` before (negative: after) the clinic day `day`. */
export function shiftDay(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() - days);
  return at.toISOString().slice(0, 10);
}

/**
 * Numbers and dates as the dashboard shows them: thousands separators, compact dates
 * (`2026-11-30 14:05`, the year left out when it is this year) in the clinic's time zone.
 */
export function useFormat() {
  const { locale } = useAppLocale();

  /** 123456 → "123,456". */
  function formatNumber(value: number | null | undefined): string {
    if (value === null || value === undefined || Number.isNaN(value)) return '—';
    return new Intl.NumberFormat(INTL_TAGS[locale.value]).format(value);
  }

  /** 0.4567 → "45.7%". */
  function formatPercent(value: number | null | undefined): string {
    if (value === null || value === undefined || Number.isNaN(value)) return '—';
    return new Intl.NumberFormat(INTL_TAGS[locale.value], { style: 'percent', maximumFractionDigits: 1 }).format(value);
  }

  /** An instant as `MM-DD HH:mm` this year, `YYYY-MM-DD HH:mm` otherwise, in the clinic's zone. */
  function formatDate(value: string | Date | null | undefined): string {
    if (value === null || value === undefined) return '—';
    const date = typeof value === 'string' ? new Date(value) : value;
    if (Number.isNaN(date.getTime())) return '—';
    const p = clinicParts(date);
    const sameYear = p.year === clinicParts(new Date()).year;
    return `${sameYear ? '' : `${p.year}-`}${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  return { formatNumber, formatPercent, formatDate };
}
