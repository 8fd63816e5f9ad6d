import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An image a marketer uploaded for a campaign (an image attachment or a mini-program cover), kept
 * here because WeCom's temporary media expires after 3 days: the send path uploads it again when
 * the cached media_id is older than about 2.5 days.
 */
export const CampaignMedia = defineEntity({
  name: 'CampaignMedia',
  tableName: 'campaign_media',
  properties: {
    id: p.integer().primary(),
    /** SHA-256 of the bytes: the same file uploaded twice is stored once. */
    sha256: p.string().length(64).unique(),
    contentType: p.string().length(32),
    bytes: p.blob(),
    size: p.integer(),
    /** The last temporary media_id WeCom gave for these bytes, and when (valid 3 days). */
    wecomMediaId: p.string().length(256).nullable(),
    wecomUploadedAt: p.datetime().nullable(),
    createdBy: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
/** A row of campaign_media. */
export type ICampaignMedia = InferEntity<typeof CampaignMedia>;
