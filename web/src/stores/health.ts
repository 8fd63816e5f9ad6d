import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HealthReport, ProbeResult } from '../../../common/health.schema.ts';
import { ApiRequestError } from '../api/client.ts';
import { fetchHealthReport, runHealthProbe } from '../api/health.ts';

/** How often the home page refreshes the health report while it is shown. */
export const HEALTH_POLL_INTERVAL_MS = 5_000;

/** Any thrown value as an `ApiRequestError`, so the page only ever renders one error type. */
function toApiError(cause: unknown): ApiRequestError {
  if (cause instanceof ApiRequestError) return cause;
  return new ApiRequestError('unexpected', cause instanceof Error ? cause.message : String(cause));
}

/** System health (`GET /api/health/details`), its polling, and the end-to-end probe (`POST /api/health/probe`). */
export const useHealthStore = defineStore('health', () => {
  /** Last report received; kept when a later refresh fails so the page still shows the last known state. */
  const report = shallowRef<HealthReport | null>(null);
  /** Error of the last refresh, null when it succeeded. */
  const error = shallowRef<ApiRequestError | null>(null);
  /** True while a refresh is in flight. */
  const loading = ref(false);
  /** When the last successful refresh arrived (browser clock). */
  const receivedAt = ref<Date | null>(null);

  const probeResult = shallowRef<ProbeResult | null>(null);
  const probeError = shallowRef<ApiRequestError | null>(null);
  const probing = ref(false);

  /** True once a first answer (report or error) has arrived. */
  const settled = computed(() => report.value !== null || error.value !== null);

  let inFlight: Promise<void> | null = null;

  /** Fetches the report once; concurrent calls share the request in flight. */
  function refresh(): Promise<void> {
    if (inFlight) return inFlight;
    loading.value = true;
    inFlight = (async () => {
      try {
        report.value = await fetchHealthReport();
        receivedAt.value = new Date();
        error.value = null;
      } catch (cause) {
        error.value = toApiError(cause);
      } finally {
        loading.value = false;
        inFlight = null;
      }
    })();
    return inFlight;
  }

  // Polling is reference-counted (two mounted views share one loop) and each start opens a new
  // generation, so a refresh that finishes after a stop never schedules a stale timer.
  let pollUsers = 0;
  let pollGeneration = 0;
  let pollTimer: ReturnType<typeof setTimeout> | null = null;

  /** Refreshes now, then every `intervalMs` until `stopPolling` is called as often as this was. */
  function startPolling(intervalMs: number = HEALTH_POLL_INTERVAL_MS): void {
    pollUsers += 1;
    if (pollUsers > 1) return;
    const generation = ++pollGeneration;
    const tick = async (): Promise<void> => {
      await refresh();
      if (generation !== pollGeneration || pollUsers === 0) return;
      pollTimer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  /** Stops the polling loop once its last user stopped. */
  function stopPolling(): void {
    if (pollUsers === 0) return;
    pollUsers -= 1;
    if (pollUsers > 0) return;
    pollGeneration += 1;
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
  }

  /** Runs the end-to-end probe (a real workflow round trip through the worker). */
  async function runProbe(): Promise<void> {
    if (probing.value) return;
    probing.value = true;
    probeError.value = null;
    probeResult.value = null;
    try {
      probeResult.value = await runHealthProbe();
    } catch (cause) {
      probeError.value = toApiError(cause);
    } finally {
      probing.value = false;
    }
  }

  return {
    report, error, loading, receivedAt, settled,
    probeResult, probeError, probing,
    refresh, startPolling, stopPolling, runProbe,
  };
});
