import {
  connectionTestResultSchema, generatedCallbackKeysSchema, wecomConfigViewSchema,
  type ConnectionTestResult, type GeneratedCallbackKeys, type SaveWecomConfigRequest, type WecomConfigView,
} from '../../../common/wecom-config.schema.ts';
import { getJson, postJson, putJson } from './client.ts';

/** `GET /api/wecom/config` (every role): masked, never a secret. */
export function fetchWecomConfig(): Promise<WecomConfigView> {
  return getJson('/api/wecom/config', wecomConfigViewSchema);
}

/** `PUT /api/wecom/config` (admins): empty Secret/Token/AES key keep the stored ones. */
export function saveWecomConfig(input: SaveWecomConfigRequest): Promise<WecomConfigView> {
  return putJson('/api/wecom/config', input, wecomConfigViewSchema);
}

/** `POST /api/wecom/config/generate-aes-key` (admins): a fresh EncodingAESKey and Token. */
export function generateCallbackKeys(): Promise<GeneratedCallbackKeys> {
  return postJson('/api/wecom/config/generate-aes-key', {}, generatedCallbackKeysSchema);
}

/** `POST /api/wecom/config/test` (admins): gettoken and a permission probe, step by step. */
export function testWecomConnection(): Promise<ConnectionTestResult> {
  return postJson('/api/wecom/config/test', {}, connectionTestResultSchema);
}
