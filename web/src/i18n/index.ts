import { computed, type ComputedRef } from 'vue';
import { createI18n, useI18n } from 'vue-i18n';
import { en } from './en.ts';
import { zhCN, type MessageSchema } from './zh-CN.ts';

/** Languages of the dashboard; the first is the default. */
export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const;
/** One supported language. */
export type AppLocale = (typeof SUPPORTED_LOCALES)[number];
/** Default language. */
export const DEFAULT_LOCALE: AppLocale = 'zh-CN';
/** localStorage key remembering the operator's language choice. */
export const LOCALE_STORAGE_KEY = 'clinic-wecom.locale';

/** BCP 47 tags used for dates and numbers in each language. */
const INTL_TAGS: Record<AppLocale, string> = { 'zh-CN': 'zh-CN', en: 'en-US' };

/** True when `value` names a supported language. */
export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** The remembered language, or the default when none (or storage is unavailable). */
export function readSavedLocale(): AppLocale {
  try {
    const saved = globalThis.localStorage?.getItem(LOCALE_STORAGE_KEY);
    return isAppLocale(saved) ? saved : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** Creates the app's i18n instance (Composition API mode) in `locale`. */
export function createAppI18n(locale: AppLocale = readSavedLocale()) {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  return createI18n<[MessageSchema], AppLocale, false>({
    legacy: false,
    locale,
    fallbackLocale: DEFAULT_LOCALE,
    messages: { 'zh-CN': zhCN, en },
  });
}

/** The current language, a setter that remembers it, and locale-aware formatting helpers. */
export function useAppLocale(): {
  locale: ComputedRef<AppLocale>;
  setLocale: (next: AppLocale) => void;
  formatDateTime: (value: string | Date) => string;
} {
  const { locale: i18nLocale } = useI18n({ useScope: 'global' });
  const locale = computed<AppLocale>(() => (isAppLocale(i18nLocale.value) ? i18nLocale.value : DEFAULT_LOCALE));

  function setLocale(next: AppLocale): void {
    i18nLocale.value = next;
    if (typeof document !== 'undefined') document.documentElement.lang = next;
    try {
      globalThis.localStorage?.setItem(LOCALE_STORAGE_KEY, next);
    } catch {
      // Storage can be disabled (private mode, policies): the switch still works for this visit.
    }
  }

  function formatDateTime(value: string | Date): string {
    const date = typeof value === 'string' ? new Date(value) : value;
    if (Number.isNaN(date.getTime())) return String(value);
    return new Intl.DateTimeFormat(INTL_TAGS[locale.value], { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
  }

  return { locale, setLocale, formatDateTime };
}
