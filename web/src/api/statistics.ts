import { campaignResultsSchema, overviewSchema, trendSchema, type CampaignResults, type Overview, type Trend, type TrendQuery } from '../../../common/statistics.schema.ts';
import { getJson } from './client.ts';

/** `GET /api/statistics/overview`: the 数据概览 figures. */
export function fetchOverview(signal?: AbortSignal): Promise<Overview> {
  return getJson('/api/statistics/overview', overviewSchema, signal ? { signal } : {});
}

/** `GET /api/statistics/trend`: added/lost per bucket and series. */
export function fetchTrend(query: TrendQuery, signal?: AbortSignal): Promise<Trend> {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)]));
  return getJson(`/api/statistics/trend?${params}`, trendSchema, signal ? { signal } : {});
}

/** `GET /api/statistics/campaigns`: the latest launched campaigns' counts. */
export function fetchCampaignResults(signal?: AbortSignal): Promise<CampaignResults> {
  return getJson('/api/statistics/campaigns', campaignResultsSchema, signal ? { signal } : {});
}
