/**
 * Custom search attributes the product sets on its workflows, so an operator finds
 * "the onboarding of customer X" in one Temporal UI query. Registered when the dev server starts
 * (and by `scripts/register-search-attributes.ts` on a cluster).
 */
export const SEARCH_ATTRIBUTES = {
  CustomerExternalId: 'Keyword',
  StaffUserId: 'Keyword',
  Channel: 'Keyword',
  CampaignId: 'Keyword',
} as const;

/** Name of one of the product's custom search attributes. */
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
