import { z } from 'zod';
import type { Audience, AudiencePreview, CampaignCounts, CampaignStatus, CampaignView, ConsumptionImportResult, Content, Schedule } from '../../../common/campaigns.schema.ts';
import type { ForbiddenTerm } from '../../../common/compliance.ts';
import { getJson, patchJson, postJson, requestJson } from './client.ts';

/** Accepts an object answer as the contract type (the API's own tests pin its shape). */
const shaped = <T>() => z.custom<T>((value) => typeof value === 'object' && value !== null);

/** One row of the campaign list. */
export type CampaignRow = { id: number; name: string; status: CampaignStatus; schedule: Schedule | null; counts: CampaignCounts; createdAt: string | null; launchedAt: string | null };
/** A page of campaigns. */
export type CampaignPage = { items: CampaignRow[]; total: number; page: number; pageSize: number };
/** A saved segment (客户分群) as a campaign audience picks it. */
export type Segment = { id: number; name: string };

/** `GET /api/campaigns`. */
export const listCampaigns = (page: number, pageSize: number) => getJson(`/api/campaigns?page=${page}&pageSize=${pageSize}`, shaped<CampaignPage>());
/** `GET /api/campaigns/:id`. */
export const fetchCampaign = (id: number) => getJson(`/api/campaigns/${id}`, shaped<CampaignView>());
/** `POST /api/campaigns`. */
export const createCampaign = (body: { name: string; audience: Audience; content: Content; schedule?: Schedule }) => postJson('/api/campaigns', body, shaped<CampaignView>());
/** `PATCH /api/campaigns/:id`. */
export const updateCampaign = (id: number, body: Partial<{ name: string; audience: Audience; content: Content; schedule: Schedule | null }>) =>
  patchJson(`/api/campaigns/${id}`, body, shaped<CampaignView>());
/** `POST /api/campaigns/:id/{launch|pause|resume|cancel}`. */
export const campaignAction = (id: number, action: 'launch' | 'pause' | 'resume' | 'cancel') => postJson(`/api/campaigns/${id}/${action}`, {}, shaped<CampaignView>());
/** 提醒员工: `POST /api/campaigns/:id/remind`. */
export const remindStaff = (id: number, sender?: string) => postJson(`/api/campaigns/${id}/remind`, sender ? { sender } : {}, shaped<{ reminded: number }>());
/** `POST /api/campaigns/audience-preview`. */
export const previewAudience = (audience: Audience) => postJson('/api/campaigns/audience-preview', { audience }, shaped<AudiencePreview>());
/** `GET /api/segments`. */
export const listSegments = () => getJson('/api/segments', shaped<{ items: Segment[] }>());
/** `GET /api/compliance/terms`: the forbidden-term list the builder checks against as the marketer types. */
export const listForbiddenTerms = () => getJson('/api/compliance/terms', shaped<{ items: Array<ForbiddenTerm & { id: number }> }>());
/** 发送消息: `POST /api/customers/:externalUserId/messages`; the same `idempotencyKey` sends once however often it is sent. */
export const sendDirectMessage = (externalUserId: string, content: Content, messageClass: 'marketing' | 'care', idempotencyKey: string) =>
  postJson(`/api/customers/${encodeURIComponent(externalUserId)}/messages`, { content, messageClass }, shaped<{ runId: number }>(), { idempotencyKey });
/** `POST /api/campaign-media`: stores an image (PNG/JPG ≤ 2 MB) for an image attachment or a mini-program cover. */
export function uploadCampaignImage(file: File) {
  const form = new FormData();
  form.append('file', file);
  return requestJson('POST', '/api/campaign-media', shaped<{ id: number; url: string; size: number }>(), { body: form });
}
/** `POST /api/consumptions/import`: a spreadsheet of visits and purchases, previewed (`apply` false) or written. */
export function importConsumptions(file: File, apply: boolean) {
  const form = new FormData();
  form.append('file', file);
  form.append('apply', String(apply));
  return requestJson('POST', '/api/consumptions/import', shaped<ConsumptionImportResult>(), { body: form });
}
