/** Simplified Chinese of the customer list's tier, birthday and last-visit filters and sortable columns; spread into zh-CN.ts. */
export const customerFiltersZhCN = {
  customerFilters: {
    tiers: '客户分层',
    birthdayMonth: '生日月份',
    noVisitDays: '多少天未到店/消费',
    noVisitPlaceholder: '天数',
    lastVisit: '最近到店/消费',
    spend: '消费总额',
    birthday: '生日',
    never: '无记录',
  },
};
