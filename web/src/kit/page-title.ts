import { onMounted, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useI18n } from 'vue-i18n';

/** Keeps `document.title` as "<page> · <product>" in the current language, so tabs and history read well. */
export function usePageTitle(title: MaybeRefOrGetter<string>): void {
  const { t } = useI18n();
  const apply = () => {
    if (typeof document !== 'undefined') document.title = `${toValue(title)} · ${t('kit.pageTitleSuffix')}`;
  };
  onMounted(apply);
  watch(() => [toValue(title), t('kit.pageTitleSuffix')], apply);
}
