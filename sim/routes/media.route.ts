import type { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { nowSec } from '../context.ts';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { wecomRoute } from '../wecom-route.ts';

const IMAGE_MAX_BYTES = 2 * 1024 * 1024;

/** 上传临时素材: media/upload?type=image with a multipart `media` file (≤ 2 MB); answers a media_id. */
export function registerMediaRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'POST', 'media/upload', ({ query, body }) => {
    if (query.type !== 'image') throw wecomError('invalidParam', 'the simulator accepts type=image only');
    const media = (body as Record<string, unknown>).media;
    if (!(media instanceof File) || media.size === 0) throw wecomError('invalidParam', 'media file required');
    if (media.size > IMAGE_MAX_BYTES) throw wecomError('invalidParam', 'image exceeds 2MB');
    const mediaId = `3sim${randomBytes(24).toString('base64url')}`;
    const createdAt = nowSec(ctx);
    ctx.state.media.set(mediaId, createdAt);
    ctx.touch();
    return { type: 'image', media_id: mediaId, created_at: String(createdAt) };
  }, { multipart: true });
}
