import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ConnectionTestResult, SaveWecomConfigRequest, WecomConfigView } from '../../../common/wecom-config.schema.ts';
import { ApiRequestError } from '../api/client.ts';
import * as api from '../api/wecom-config.ts';

/** Any thrown value as an `ApiRequestError`. */
export function toApiError(cause: unknown): ApiRequestError {
  if (cause instanceof ApiRequestError) return cause;
  return new ApiRequestError('unexpected', cause instanceof Error ? cause.message : String(cause));
}

/** The WeCom configuration (masked), saving it and testing the connection. */
export const useWecomConfigStore = defineStore('wecom-config', () => {
  const config = shallowRef<WecomConfigView | null>(null);
  const loading = ref(false);
  const error = shallowRef<ApiRequestError | null>(null);
  const testResult = shallowRef<ConnectionTestResult | null>(null);
  const testing = ref(false);

  /** Loads the masked configuration. */
  async function load(): Promise<void> {
    loading.value = true;
    try {
      config.value = await api.fetchWecomConfig();
      error.value = null;
    } catch (cause) {
      error.value = toApiError(cause);
    } finally {
      loading.value = false;
    }
  }

  /** Saves; throws `ApiRequestError` (with `field`) for the form to show inline. */
  async function save(input: SaveWecomConfigRequest): Promise<void> {
    config.value = await api.saveWecomConfig(input).catch((cause: unknown) => { throw toApiError(cause); });
  }

  /** A fresh EncodingAESKey and Token for the "generate" buttons. */
  function generate() {
    return api.generateCallbackKeys().catch((cause: unknown) => { throw toApiError(cause); });
  }

  /** Runs "test connection" and refreshes the token status. */
  async function test(): Promise<void> {
    testing.value = true;
    try {
      testResult.value = await api.testWecomConnection();
      await load();
    } catch (cause) {
      error.value = toApiError(cause);
    } finally {
      testing.value = false;
    }
  }

  return { config, loading, error, testResult, testing, load, save, generate, test };
});
