import { z } from 'zod';
import {
  campaignResultsSchema, overviewSchema, staffBehaviorSchema, trendSchema,
  type CampaignResults, type Overview, type StaffBehavior, type StaffBehaviorQuery, type Trend, type TrendQuery,
} from '../../../common/statistics.schema.ts';
import { getJson, postJson } from './client.ts';

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

/** `GET /api/statistics/staff-behavior`: WeCom's 联系客户统计 per staff member over clinic days. */
export function fetchStaffBehavior(query: StaffBehaviorQuery, signal?: AbortSignal): Promise<StaffBehavior> {
  return getJson(`/api/statistics/staff-behavior?${new URLSearchParams(query)}`, staffBehaviorSchema, signal ? { signal } : {});
}

/** `POST /api/statistics/staff-behavior/sync` (admin, marketer): reads the last month from WeCom now. */
export function syncStaffBehavior(): Promise<{ workflowId: string; started: boolean }> {
  return postJson('/api/statistics/staff-behavior/sync', {}, z.object({ workflowId: z.string(), started: z.boolean() }));
}
