import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/activity';
import { campaignMediaId } from '../common/campaigns.schema.ts';
import type { WeComApi } from '../wecom/wecom-api.ts';
import { downloadPublicImage } from './public-image.ts';

/**
 * WeCom's temporary media lives 3 days; a cached media_id is reused only while it is younger than
 * this, so a batch submitted (or retried) late still carries an id WeCom accepts.
 */
export const MEDIA_REUSE_HOURS = 60;

/**
 * The temporary media_id for one image of a campaign, obtained just before submission. An image
 * uploaded through the builder (`<publicUrl>/api/campaign-media/<id>`) is read from
 * campaign_media and its media_id reused for 60 hours (uploaded again after that); any other URL
 * is downloaded (public addresses only, or `trustedOrigins`) and uploaded each time.
 */
export async function mediaIdForImage(em: EntityManager, api: WeComApi, url: string, publicUrl: string, trustedOrigins: readonly string[] = []): Promise<string> {
  const id = url.startsWith(publicUrl.replace(/\/+$/, '') + '/') ? campaignMediaId(url) : null;
  if (id === null) {
    const image = await downloadPublicImage(url, trustedOrigins);
    return (await api.media.uploadImage(image.bytes, image.filename, image.contentType)).media_id;
  }
  const conn = em.getConnection();
  const [row] = await conn.execute<Array<{ content_type: string; bytes: Buffer | null; fresh_media_id: string | null }>>(
    `select content_type,
            case when wecom_media_id is not null and wecom_uploaded_at > now() - (? * interval '1 hour') then wecom_media_id end as fresh_media_id,
            case when wecom_media_id is null or wecom_uploaded_at <= now() - (? * interval '1 hour') then bytes end as bytes
       from campaign_media where id = ?`, [MEDIA_REUSE_HOURS, MEDIA_REUSE_HOURS, id]);
  if (!row) throw ApplicationFailure.nonRetryable('The campaign image was deleted', 'image_unavailable');
  if (row.fresh_media_id) return row.fresh_media_id;
  const filename = row.content_type.includes('png') ? 'image.png' : 'image.jpg';
  const { media_id: mediaId } = await api.media.uploadImage(new Uint8Array(row.bytes!), filename, row.content_type);
  await conn.execute('update campaign_media set wecom_media_id = ?, wecom_uploaded_at = now() where id = ?', [mediaId, id]);
  return mediaId;
}
