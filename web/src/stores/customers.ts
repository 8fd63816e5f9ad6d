import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { CustomerDetail, CustomerFilters, CustomerListQuery, CustomerPage, SyncStatus } from '../../../common/customers.schema.ts';
import { ApiRequestError } from '../api/client.ts';
import * as api from '../api/customers.ts';

/** Any thrown value as an `ApiRequestError`. */
function toApiError(cause: unknown): ApiRequestError {
  if (cause instanceof ApiRequestError) return cause;
  return new ApiRequestError('unexpected', cause instanceof Error ? cause.message : String(cause));
}

/** How often the sync progress is asked for while a sync runs. */
export const SYNC_POLL_MS = 1_000;

/** The customer list (query, page, filter choices) and the sync's progress. */
export const useCustomersStore = defineStore('customers', () => {
  const page = shallowRef<CustomerPage | null>(null);
  const filters = shallowRef<CustomerFilters | null>(null);
  const loading = ref(false);
  const error = shallowRef<ApiRequestError | null>(null);
  const sync = shallowRef<SyncStatus | null>(null);
  const syncError = shallowRef<ApiRequestError | null>(null);
  /** Only the newest request may set the page: a slow old answer must not replace a newer one. */
  let latest = 0;

  /** Loads the page for `query`. */
  async function load(query: CustomerListQuery): Promise<void> {
    const ticket = ++latest;
    loading.value = true;
    try {
      const result = await api.listCustomers(query);
      if (ticket !== latest) return;
      page.value = result;
      error.value = null;
    } catch (cause) {
      if (ticket === latest) error.value = toApiError(cause);
    } finally {
      if (ticket === latest) loading.value = false;
    }
  }

  /** Loads the filter choices (tags, channels, staff). */
  async function loadFilters(): Promise<void> {
    filters.value = await api.fetchCustomerFilters().catch(() => filters.value);
  }

  /** Reads the sync's progress. */
  async function refreshSync(): Promise<void> {
    try {
      sync.value = await api.fetchSyncStatus();
      syncError.value = null;
    } catch (cause) {
      syncError.value = toApiError(cause);
    }
  }

  /** Starts a sync (or joins the running one). */
  async function startSync(): Promise<void> {
    try {
      sync.value = await api.startSync();
      syncError.value = null;
    } catch (cause) {
      syncError.value = toApiError(cause);
    }
  }

  return { page, filters, loading, error, sync, syncError, load, loadFilters, refreshSync, startSync };
});

/** One customer's detail; tag edits throw `ApiRequestError` for the editor to show. */
export const useCustomerDetailStore = defineStore('customer-detail', () => {
  const detail = shallowRef<CustomerDetail | null>(null);
  const loading = ref(false);
  const error = shallowRef<ApiRequestError | null>(null);

  /** Loads customer `id`. */
  async function load(id: number): Promise<void> {
    loading.value = true;
    try {
      detail.value = await api.fetchCustomer(id);
      error.value = null;
    } catch (cause) {
      error.value = toApiError(cause);
    } finally {
      loading.value = false;
    }
  }

  /** Adds/removes tags, then reloads the detail (the timeline gains the tag workflow). */
  async function changeTags(id: number, add: number[], remove: number[]): Promise<void> {
    await api.updateCustomerTags(id, { add, remove }).catch((cause: unknown) => { throw toApiError(cause); });
    await load(id);
  }

  return { detail, loading, error, load, changeTags };
});
