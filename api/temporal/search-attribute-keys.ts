import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed keys of the custom search attributes in common/search-attributes.ts, defined once for
 * every workflow the API starts (an operator's query finds them all under one name).
 */

/** The customer's WeCom external userid. */
export const customerKey = defineSearchAttributeKey('CustomerExternalId', SearchAttributeType.KEYWORD);
/** The staff member's WeCom userid. */
export const staffKey = defineSearchAttributeKey('StaffUserId', SearchAttributeType.KEYWORD);
/** The channel code's `state`. */
export const channelKey = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);
/** The campaign's id. */
export const campaignKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
