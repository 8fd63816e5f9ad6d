import { retentionSettingsSchema, type RetentionSettings } from '../../../common/privacy.schema.ts';
import { getJson, putJson } from './client.ts';

/** `GET /api/settings/retention` (admin): how long callback logs and messages are kept. */
export function fetchRetention(): Promise<RetentionSettings> {
  return getJson('/api/settings/retention', retentionSettingsSchema);
}

/** `PUT /api/settings/retention` (admin): null days keep the rows forever. */
export function saveRetention(settings: RetentionSettings): Promise<RetentionSettings> {
  return putJson('/api/settings/retention', settings, retentionSettingsSchema);
}
