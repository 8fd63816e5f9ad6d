import { CAMPAIGN_MEDIA_PATH, campaignMediaId } from '../../../../common/campaigns.schema.ts';

/**
 * Where the dashboard shows an attachment image from: an uploaded image through this origin's API
 * (its stored URL names PUBLIC_URL, which may differ from the dashboard's address), any other URL as is.
 */
export function mediaPreviewSrc(url: string): string {
  const id = campaignMediaId(url);
  return id === null ? url : `${CAMPAIGN_MEDIA_PATH}${id}`;
}
