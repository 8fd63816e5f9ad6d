import { retentionSettingsSchema, type RetentionSettings } from '../../../common/privacy.schema.ts';
import { z } from 'zod';
import { getJson, putJson } from './client.ts';

/** `GET /api/clinic`: the clinic's time zone (its settings row). */
export function fetchClinic(): Promise<{ timeZone: string }> {
  return getJson('/api/clinic', z.object({ timeZone: z.string() }));
}

/** `GET /api/settings/retention` (admin): how long callback logs and messages are kept. */
export function fetchRetention(): Promise<RetentionSettings> {
  return getJson('/api/settings/retention', retentionSettingsSchema);
}

/** `PUT /api/settings/retention` (admin): null days keep the rows forever. */
export function saveRetention(settings: RetentionSettings): Promise<RetentionSettings> {
  return putJson('/api/settings/retention', settings, retentionSettingsSchema);
}
