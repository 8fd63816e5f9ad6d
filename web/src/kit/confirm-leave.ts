import { ElMessageBox } from 'element-plus';
import { onBeforeUnmount, onMounted, toValue, type MaybeRefOrGetter } from 'vue';
import { useI18n } from 'vue-i18n';
import { onBeforeRouteLeave } from 'vue-router';

/**
 * Guards unsaved edits: leaving the page (a link, 返回, closing the tab) asks first while `dirty`.
 * Returns `confirmDiscard()` for dialogs and other in-page exits: true when there is nothing to
 * lose or the user chose to discard.
 */
export function useConfirmLeave(dirty: MaybeRefOrGetter<boolean>): { confirmDiscard: () => Promise<boolean> } {
  const { t } = useI18n();

  async function confirmDiscard(): Promise<boolean> {
    if (!toValue(dirty)) return true;
    try {
      await ElMessageBox.confirm(t('kit.leaveBody'), t('kit.leaveTitle'), {
        confirmButtonText: t('kit.leaveConfirm'),
        cancelButtonText: t('kit.leaveStay'),
        type: 'warning',
        closeOnClickModal: false,
      });
      return true;
    } catch {
      return false;
    }
  }

  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (toValue(dirty)) event.preventDefault();
  };
  onMounted(() => window.addEventListener('beforeunload', onBeforeUnload));
  onBeforeUnmount(() => window.removeEventListener('beforeunload', onBeforeUnload));
  try {
    onBeforeRouteLeave(() => confirmDiscard());
  } catch {
    // Outside a routed page (a dialog in a test mount) there is no route to guard.
  }
  return { confirmDiscard };
}
