import { onBeforeUnmount, toValue, watch, type MaybeRefOrGetter } from 'vue';

/**
 * Calls `refresh` every `intervalMs` while `active` is true (a sync or bulk job in progress, a
 * status page open) and stops when the component goes away. The data layer has no polling of
 * its own; this drives its `refresh()`.
 */
export function usePolling(refresh: () => unknown, intervalMs: number, active: MaybeRefOrGetter<boolean> = true): void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  watch(() => toValue(active), (on) => {
    stop();
    if (on) timer = setInterval(() => void refresh(), intervalMs);
  }, { immediate: true });
  onBeforeUnmount(stop);
}
