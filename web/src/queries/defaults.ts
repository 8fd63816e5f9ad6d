import type { UseQueryOptionsGlobal } from '@pinia/colada';

/**
 * The data layer's defaults (Pinia Colada). An answer is fresh for 5 s (switching back to a page
 * shows it at once and refetches behind it), refetched when the tab regains focus, and kept 5 min
 * after its last user leaves.
 */
export const QUERY_DEFAULTS: UseQueryOptionsGlobal = {
  staleTime: 5_000,
  gcTime: 300_000,
  refetchOnWindowFocus: true,
};
