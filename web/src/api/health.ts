import { healthReportSchema, probeResultSchema, type HealthReport, type ProbeResult } from '../../../common/health.schema.ts';
import { getJson, postJson } from './client.ts';

/** `GET /api/health/details`: 200 when every component is up, 503 with the same report when one is down. */
export function fetchHealthReport(signal?: AbortSignal): Promise<HealthReport> {
  return getJson('/api/health/details', healthReportSchema, { acceptStatuses: [503], ...(signal ? { signal } : {}) });
}

/**
 * `POST /api/health/probe`: runs a real workflow and activity on the worker and times the round trip.
 * A failed probe may come back as a probe result with `ok: false` on an error status.
 */
export function runHealthProbe(): Promise<ProbeResult> {
  return postJson('/api/health/probe', {}, probeResultSchema, { acceptStatuses: [500, 502, 503, 504] });
}
