import { useI18n } from 'vue-i18n';
import type { PendingSchedule } from '../../api/settings.ts';

/**
 * The warning after a save whose answer names daily Schedules that could not follow it yet
 * (`schedulesPending`), in the user's language; null when there are none.
 */
export function usePendingSchedulesWarning(): (saved: object) => string | null {
  const { t } = useI18n();
  return (saved) => {
    const pending = (saved as { schedulesPending?: PendingSchedule[] }).schedulesPending ?? [];
    if (pending.length === 0) return null;
    return t('settings.pending', { names: pending.map((key) => t(`settings.schedules.${key}`)).join(t('settings.listSeparator')) });
  };
}
