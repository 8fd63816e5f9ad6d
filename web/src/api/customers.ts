import { z } from 'zod';
import {
  customerDetailSchema, customerFiltersSchema, customerPageSchema, syncStatusSchema, updateCustomerTagsResponseSchema,
  type CustomerDetail, type CustomerFilters, type CustomerListQuery, type CustomerPage, type SyncStatus, type UpdateCustomerTagsRequest,
} from '../../../common/customers.schema.ts';
import { eraseCustomerResultSchema, type EraseCustomerResult } from '../../../common/privacy.schema.ts';
import { getJson, postJson, requestJson } from './client.ts';

/** `GET /api/customers`: one page of the filtered list (empty filters are left out of the URL). */
export function listCustomers(query: CustomerListQuery): Promise<CustomerPage> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  return getJson(`/api/customers?${params}`, customerPageSchema);
}

/** `GET /api/customers/filters`: tags, channels and staff to filter by. */
export function fetchCustomerFilters(): Promise<CustomerFilters> {
  return getJson('/api/customers/filters', customerFiltersSchema);
}

/** `GET /api/customers/:id`: profile, follows, tags and timeline. */
export function fetchCustomer(id: number): Promise<CustomerDetail> {
  return getJson(`/api/customers/${id}`, customerDetailSchema);
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
