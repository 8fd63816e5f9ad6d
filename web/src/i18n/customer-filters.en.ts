import type { MessageSchema } from './zh-CN.ts';

/** English of the customer list's tier, birthday and last-visit filters and sortable columns; spread into en.ts. */
export const customerFiltersEn: Pick<MessageSchema, 'customerFilters'> = {
  customerFilters: {
    tiers: 'Tier',
    birthdayMonth: 'Birthday month',
    noVisitDays: 'No visit or purchase for (days)',
    noVisitPlaceholder: 'Days',
    lastVisit: 'Last visit/purchase',
    spend: 'Total spend',
    birthday: 'Birthday',
    never: 'None recorded',
  },
};
