import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CAMPAIGN_MEDIA_PATH } from '../../common/campaigns.schema.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readIdParam } from '../validation.ts';

/** What the campaign image routes need. */
export interface CampaignMediaRouteDeps {
  em: () => EntityManager;
  /** Where this server is reached (the attachment URL an upload answers with); the worker's send path must be given the same. */
  publicUrl?: string;
}

/** WeCom's temporary media takes images up to 2 MB. */
export const CAMPAIGN_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/** The upload's request body: the image plus the multipart envelope. */
export const CAMPAIGN_MEDIA_BODY_LIMIT = CAMPAIGN_IMAGE_MAX_BYTES + 64 * 1024;

/** The image type by its first bytes (a file name or a browser's claim is not trusted). */
function imageType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | null {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/**
 * `/api/campaign-media`: images marketers upload in the campaign builder (an image attachment or a
 * mini-program cover). Stored here; the send path uploads them to WeCom's temporary media just
 * before each submission (activities/campaign-media.ts).
 */
export function campaignMediaRoutes(deps: CampaignMediaRouteDeps) {
  return new Hono<AuthEnv>()
    .post('/', requirePermission('campaigns.manage'), async (c) => {
      const form = await c.req.formData().catch(() => null);
      const file = form?.get('file');
      if (!(file instanceof File)) throw new AppError(400, 'invalid_request', 'file: attach the image as the form field "file"', { field: 'file' });
      const bytes = new Uint8Array(await file.arrayBuffer());
      const contentType = imageType(bytes);
      if (!contentType || bytes.length > CAMPAIGN_IMAGE_MAX_BYTES) {
        throw new AppError(422, 'invalid_image', 'The image must be a PNG or JPG of at most 2 MB (WeCom temporary media).', { field: 'file' });
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const auth = c.get('auth');
      const em = deps.em();
      const [row] = await em.getConnection().execute<Array<{ id: number }>>(
        `insert into campaign_media (sha256, content_type, bytes, size, created_by, created_at) values (?, ?, ?, ?, ?, now())
         on conflict (sha256) do update set sha256 = excluded.sha256 returning id`,
        [sha256, contentType, Buffer.from(bytes), bytes.length, auth.user.id]);
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'campaign.media_upload', target: { type: 'campaign_media', id: row!.id }, ip: clientInfo(c).ip, details: { size: bytes.length } });
      // Same default as the worker's (activities/send-run.activities.ts), so the send path recognises its own images.
      const url = `${(deps.publicUrl ?? 'http://localhost:3000').replace(/\/+$/, '')}${CAMPAIGN_MEDIA_PATH}${row!.id}`;
      return c.json({ id: row!.id, url, size: bytes.length, contentType }, 201);
    })
    .get('/:id', requirePermission('campaigns.view'), async (c) => {
      const id = readIdParam(c);
      const [row] = await deps.em().getConnection().execute<Array<{ content_type: string; bytes: Buffer }>>(
        'select content_type, bytes from campaign_media where id = ?', [id]);
      if (!row) throw new AppError(404, 'not_found', `Image ${id} does not exist`);
      // Immutable: an id always names the same bytes (uploads are keyed by their hash).
      return c.body(new Uint8Array(row.bytes), 200, { 'content-type': row.content_type, 'cache-control': 'private, max-age=86400, immutable' });
    });
}
