import { useMutation, useQuery, useQueryCache } from '@pinia/colada';
import { toValue, type MaybeRefOrGetter } from 'vue';
import type { StaffBehaviorQuery, TrendQuery } from '../../../common/statistics.schema.ts';
import * as api from '../api/statistics.ts';

/** The overview's figures, refreshed every minute while the page is open (see OverviewPage). */
export function useOverview() {
  return useQuery({ key: ['statistics', 'overview'], query: ({ signal }) => api.fetchOverview(signal), staleTime: 30_000 });
}

/** The latest campaigns' results for the overview's 群发效果 card. */
export function useCampaignResults() {
  return useQuery({ key: ['statistics', 'campaigns'], query: ({ signal }) => api.fetchCampaignResults(signal), staleTime: 30_000 });
}

/** A trend for the chosen range, bucket and split; the old chart stays while a new range loads. */
export function useTrend(query: MaybeRefOrGetter<TrendQuery>) {
  return useQuery({
    key: () => ['statistics', 'trend', JSON.stringify(toValue(query))],
    query: ({ signal }) => api.fetchTrend(toValue(query), signal),
    placeholderData: (previous) => previous,
    staleTime: 30_000,
  });
}

/** Staff behaviour figures for a range; the old table stays while a new range loads. */
export function useStaffBehavior(query: MaybeRefOrGetter<StaffBehaviorQuery>) {
  return useQuery({
    key: () => ['statistics', 'staff-behavior', JSON.stringify(toValue(query))],
    query: ({ signal }) => api.fetchStaffBehavior(toValue(query), signal),
    placeholderData: (previous) => previous,
    staleTime: 30_000,
  });
}

/** Starts a staff behaviour sync; the figures are asked for again a few seconds later by the card. */
export function useSyncStaffBehavior() {
  const cache = useQueryCache();
  return useMutation({
    mutation: () => api.syncStaffBehavior(),
    onSettled: () => void cache.invalidateQueries({ key: ['statistics', 'staff-behavior'] }),
  });
}
