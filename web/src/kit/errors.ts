import { useI18n } from 'vue-i18n';
import { isKnownErrorCode } from '../../../common/error-codes.ts';
import { ApiRequestError } from '../api/client.ts';
import { isAppLocale } from '../i18n/index.ts';

/**
 * Turns any failure into one sentence in the user's language. The API's English `message` never
 * reaches the page: a known code has its own sentence, an unknown one says which code it was, and
 * WeCom's bilingual `fix` advice (written for people, in both languages) is appended when present.
 * `scope` names a page's own table of codes (e.g. `contactWays.errors`) tried first.
 */
export function useErrorText(scope?: string): (error: unknown) => string {
  const { t, te, locale } = useI18n();
  return (error: unknown): string => {
    if (!(error instanceof ApiRequestError)) return t('errors.unexpected');
    const scoped = scope ? `${scope}.${error.code}` : null;
    const sentence = scoped && te(scoped) ? t(scoped) : isKnownErrorCode(error.code) ? t(`errors.${error.code}`) : t('errors.unknown', { code: error.code });
    if (!error.fix) return sentence;
    const fix = isAppLocale(locale.value) && locale.value === 'en' ? error.fix.en : error.fix.zh;
    return `${sentence}。${t('errors.fix', { fix })}`.replace('。。', '。');
  };
}
