import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ChannelTagOutcome, ContactWayInput, ContactWayListQuery, ContactWayView, SimulateScanResult } from '../../../common/contact-way.schema.ts';
import type { SyncStatus } from '../../../common/customers.schema.ts';
import type { ApiRequestError } from '../api/client.ts';
import * as api from '../api/contact-ways.ts';
import { toApiError } from './wecom-config.ts';

/** Channel codes with their figures; actions throw `ApiRequestError` for the caller to show inline. */
export const useContactWaysStore = defineStore('contact-ways', () => {
  const items = shallowRef<ContactWayView[]>([]);
  const simulateScanAvailable = ref(false);
  const loading = ref(false);
  const error = shallowRef<ApiRequestError | null>(null);
  const members = shallowRef<Array<{ userid: string; name: string | null }>>([]);
  /** The channel tag the last save made sure of (null: the code has no state). */
  const lastChannelTag = shallowRef<ChannelTagOutcome | null>(null);

  /** The last list query, so a reload after a change keeps the page's search, sort and range. */
  let lastQuery: ContactWayListQuery = {};

  /** Loads the list (figures included) for `query` (default: the last one). */
  async function load(query: ContactWayListQuery = lastQuery): Promise<void> {
    lastQuery = query;
    loading.value = true;
    try {
      const list = await api.listContactWays(query);
      items.value = list.items;
      simulateScanAvailable.value = list.simulateScanAvailable;
      error.value = null;
    } catch (cause) {
      error.value = toApiError(cause);
    } finally {
      loading.value = false;
    }
  }

  /** Staff who may be put on a code; an empty list when WeCom cannot be asked (the form takes typed UserIDs). */
  async function loadMembers(): Promise<void> {
    members.value = await api.listContactWayMembers().catch(() => []);
  }

  function replace(way: ContactWayView): void {
    items.value = [way, ...items.value.filter((item) => item.id !== way.id)].sort((a, b) => b.id - a.id);
  }

  /** Creates a code (in WeCom first). */
  async function create(input: ContactWayInput): Promise<ContactWayView> {
    const { contactWay: way, channelTag } = await api.createContactWay(input).catch((cause: unknown) => { throw toApiError(cause); });
    lastChannelTag.value = channelTag ?? null;
    replace(way);
    return way;
  }

  /** Edits a code. */
  async function update(id: number, input: ContactWayInput): Promise<ContactWayView> {
    const { contactWay: way, channelTag } = await api.updateContactWay(id, input).catch((cause: unknown) => { throw toApiError(cause); });
    lastChannelTag.value = channelTag ?? null;
    replace(way);
    return way;
  }

  /** Deletes a code in WeCom and here. */
  async function remove(id: number): Promise<void> {
    await api.deleteContactWay(id).catch((cause: unknown) => { throw toApiError(cause); });
    items.value = items.value.filter((item) => item.id !== id);
  }

  /** Starts importing the codes that exist in WeCom (a workflow); its progress comes from `importStatus`. */
  function importFromWeCom(): Promise<SyncStatus> {
    return api.importContactWays().catch((cause: unknown) => { throw toApiError(cause); });
  }

  /** The current or last import and its progress. */
  function importStatus(): Promise<SyncStatus> {
    return api.fetchImportStatus().catch((cause: unknown) => { throw toApiError(cause); });
  }

  /** Plays the customer scanning a code (simulator only). */
  function simulateScan(id: number, customerName?: string): Promise<SimulateScanResult> {
    return api.simulateScan(id, customerName).catch((cause: unknown) => { throw toApiError(cause); });
  }

  return { items, simulateScanAvailable, loading, error, members, lastChannelTag, load, loadMembers, create, update, remove, importFromWeCom, importStatus, simulateScan };
});
