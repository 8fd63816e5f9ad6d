import { z } from 'zod';
import {
  customerDetailSchema, customerFiltersSchema, customerPageSchema, syncStatusSchema, updateCustomerTagsResponseSchema,
  type CustomerDetail, type CustomerExportQuery, type CustomerFilters, type CustomerListQuery, type CustomerPage, type SyncStatus, type UpdateCustomerTagsRequest,
} from '../../../common/customers.schema.ts';
import { bulkTagJobSchema, type BulkTagJob, type BulkTagRequest } from '../../../common/bulk-tags.schema.ts';
import { eraseCustomerResultSchema, type EraseCustomerResult } from '../../../common/privacy.schema.ts';
import { getJson, postJson, requestJson } from './client.ts';

/** A list query as URL parameters: empty values left out, id lists comma-separated. */
export function customerQueryParams(query: CustomerListQuery | CustomerExportQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else params.set(key, String(value));
  }
  return params;
}

/** `GET /api/customers`: one page of the filtered, sorted list. */
export function listCustomers(query: CustomerListQuery, signal?: AbortSignal): Promise<CustomerPage> {
  return getJson(`/api/customers?${customerQueryParams(query)}`, customerPageSchema, signal ? { signal } : {});
}

/** The download URL of `GET /api/customers/export` for the list's filter and sort (a plain link: the browser saves the file). */
export function customerExportUrl(query: CustomerExportQuery): string {
  return `/api/customers/export?${customerQueryParams(query)}`;
}

/** `GET /api/customers/filters`: tags, channels and staff to filter by. */
export function fetchCustomerFilters(): Promise<CustomerFilters> {
  return getJson('/api/customers/filters', customerFiltersSchema);
}

/** `GET /api/customers/:id`: profile, follows, tags and timeline. */
export function fetchCustomer(id: number, signal?: AbortSignal): Promise<CustomerDetail> {
  return getJson(`/api/customers/${id}`, customerDetailSchema, signal ? { signal } : {});
}

/** `PUT /api/customers/:id/tags` (admin, marketer): adds/removes tags locally and in WeCom. */
export function updateCustomerTags(id: number, change: UpdateCustomerTagsRequest): Promise<z.infer<typeof updateCustomerTagsResponseSchema>> {
  return requestJson('PUT', `/api/customers/${id}/tags`, updateCustomerTagsResponseSchema, { body: change });
}

/** `GET /api/sync`: the current or last sync and its progress. */
export function fetchSyncStatus(): Promise<SyncStatus> {
  return getJson('/api/sync', syncStatusSchema);
}

/** `POST /api/sync` (admin, marketer): starts a sync, or joins the one running. */
export function startSync(): Promise<SyncStatus> {
  return postJson('/api/sync', {}, syncStatusSchema);
}

/** `POST /api/customers/:id/erase` (admin): deletes the customer's data everywhere; `confirm` is their external id. */
export function eraseCustomer(id: number, confirm: string): Promise<EraseCustomerResult> {
  return postJson(`/api/customers/${id}/erase`, { confirm }, eraseCustomerResultSchema);
}

/** `POST /api/bulk-tags` (admin, marketer): tags ticked rows or every customer of a filter, through a workflow. */
export function startBulkTags(request: BulkTagRequest): Promise<BulkTagJob> {
  return postJson('/api/bulk-tags', request, bulkTagJobSchema);
}

/** `GET /api/bulk-tags/:id`: a bulk change's progress and result. */
export function fetchBulkTagJob(id: number): Promise<BulkTagJob> {
  return getJson(`/api/bulk-tags/${id}`, bulkTagJobSchema);
}
