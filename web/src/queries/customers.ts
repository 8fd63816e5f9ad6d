import { useMutation, useQuery, useQueryCache } from '@pinia/colada';
import { toValue, type MaybeRefOrGetter } from 'vue';
import type { BulkTagRequest } from '../../../common/bulk-tags.schema.ts';
import type { CustomerListQuery } from '../../../common/customers.schema.ts';
import type { SegmentInput } from '../../../common/segments.schema.ts';
import * as api from '../api/customers.ts';
import * as segments from '../api/segments.ts';

/** How often the sync's progress is asked for while a sync runs. */
export const SYNC_POLL_MS = 1_000;

/** One page of the customer list; the previous page stays on screen (dimmed) while the next loads. */
export function useCustomerList(query: MaybeRefOrGetter<CustomerListQuery>) {
  return useQuery({
    key: () => ['customers', 'list', JSON.stringify(toValue(query))],
    query: ({ signal }) => api.listCustomers(toValue(query), signal),
    placeholderData: (previous) => previous,
  });
}

/** Tags, channels and staff to filter by (they change rarely: fresh for a minute). */
export function useCustomerFilters() {
  return useQuery({ key: ['customers', 'filters'], query: () => api.fetchCustomerFilters(), staleTime: 60_000 });
}

/**
 * One customer. Keyed by id with no placeholder: while customer B loads (or after B's 404) the
 * page shows B's loading or error state, never customer A's data.
 */
export function useCustomer(id: MaybeRefOrGetter<number>) {
  return useQuery({
    key: () => ['customers', 'detail', toValue(id)],
    query: ({ signal }) => api.fetchCustomer(toValue(id), signal),
  });
}

/** Adds/removes a customer's tags (through WeCom), then refreshes that customer and the lists. */
export function useChangeCustomerTags() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (change: { id: number; add: number[]; remove: number[] }) => api.updateCustomerTags(change.id, { add: change.add, remove: change.remove }),
    onSettled: (_data, _error, change) => {
      void cache.invalidateQueries({ key: ['customers', 'detail', change.id] });
      void cache.invalidateQueries({ key: ['customers', 'list'] });
    },
  });
}

/** The current or last sync and its progress. */
export function useSyncStatus() {
  return useQuery({ key: ['sync'], query: () => api.fetchSyncStatus(), staleTime: 0 });
}

/** Starts a sync (or joins the running one). */
export function useStartSync() {
  const cache = useQueryCache();
  return useMutation({
    mutation: () => api.startSync(),
    onSuccess: (status) => cache.setQueryData(['sync'], status),
  });
}

/** Saved segments (客户分群), by name. */
export function useSegments() {
  return useQuery({ key: ['segments'], query: () => segments.listSegments(), staleTime: 30_000 });
}

/** Saves a new segment or changes one (`id`), then refreshes the segment list. */
export function useSaveSegment() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (input: SegmentInput & { id?: number }) => {
      const { id, ...body } = input;
      return id === undefined ? segments.createSegment(body) : segments.updateSegment(id, body);
    },
    onSettled: () => void cache.invalidateQueries({ key: ['segments'] }),
  });
}

/** Deletes a segment, then refreshes the segment list. */
export function useDeleteSegment() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (id: number) => segments.deleteSegment(id),
    onSettled: () => void cache.invalidateQueries({ key: ['segments'] }),
  });
}

/** How often a running bulk tag change's progress is asked for. */
export const BULK_TAG_POLL_MS = 1_000;

/** One bulk tag change's progress (the page polls it while it runs); idle while `id` is null. */
export function useBulkTagJob(id: MaybeRefOrGetter<number | null>) {
  return useQuery({
    key: () => ['bulk-tags', toValue(id) ?? 0],
    query: () => api.fetchBulkTagJob(toValue(id)!),
    enabled: () => toValue(id) !== null,
    staleTime: 0,
  });
}

/** Starts a bulk tag change; the list and the filters' tags refresh when it is accepted. */
export function useStartBulkTags() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (request: BulkTagRequest) => api.startBulkTags(request),
    onSuccess: (job) => cache.setQueryData(['bulk-tags', job.id], job),
  });
}
