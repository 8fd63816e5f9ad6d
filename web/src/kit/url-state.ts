import { computed, type ComputedRef } from 'vue';
import { useRoute, useRouter, type LocationQueryRaw } from 'vue-router';

/** A value a list page keeps in its URL. Arrays are written comma-separated (`tags=3,7`). */
export type UrlValue = string | number | boolean | readonly (string | number)[] | null | undefined;

/** The route's query as plain strings (the first value of a repeated key). */
function flatQuery(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}

/** `state` as a URL query, leaving out empty values so shared links stay short. */
export function toUrlQuery(state: Record<string, UrlValue>): LocationQueryRaw {
  const out: LocationQueryRaw = {};
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) out[key] = value.join(',');
    } else out[key] = String(value);
  }
  return out;
}

/**
 * A list page's filters, page and sort, kept in the URL: 返回, reload and a shared link show the
 * same list. `parse` turns the query strings into typed state (a zod schema from common/ usually);
 * `update(patch)` pushes a new history entry, so each search is one step of 返回.
 */
export function useUrlState<T extends Record<string, UrlValue>>(parse: (query: Record<string, string>) => T): {
  state: ComputedRef<T>;
  update: (patch: Partial<T>) => Promise<void>;
  replace: (next: T) => Promise<void>;
} {
  const route = useRoute();
  const router = useRouter();
  const state = computed(() => parse(flatQuery(route.query)));
  async function replace(next: T): Promise<void> {
    await router.push({ query: toUrlQuery(next) });
  }
  async function update(patch: Partial<T>): Promise<void> {
    await replace({ ...state.value, ...patch });
  }
  return { state, update, replace };
}

/** `"3,7"` → `[3, 7]` (bad parts dropped), for id lists in the URL. */
export function parseIdList(value: string | undefined): number[] {
  if (!value) return [];
  return value.split(',').map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
}
