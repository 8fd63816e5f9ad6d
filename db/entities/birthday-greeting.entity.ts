import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';
import { WeworkCustomer } from './wework-customer.entity.ts';

/**
 * One birthday greeting claimed for a customer and a birthday year. The unique (customer, year)
 * key is what makes a day's run idempotent: however often a day runs, a customer is greeted once
 * a year. `couponCode` is the greeting's single-use coupon (redeemed at the counter); `late` marks a caught-up day.
 */
export const BirthdayGreeting = defineEntity({
  name: 'BirthdayGreeting',
  tableName: 'birthday_greetings',
  uniques: [{ properties: ['customer', 'year'] }],
  properties: {
    ...baseProperties,
    customer: () => p.manyToOne(WeworkCustomer).deleteRule('cascade'),
    year: p.smallint(),
    /** The birthday being greeted (28 Feb for a 29 Feb birthday in a common year). */
    birthdayOn: p.date(),
    /** The clinic-local day the greeting belongs to (birthdayOn minus the lead days). */
    sendOn: p.date().index(),
    staffUserid: p.string().length(64).nullable(),
    couponCode: p.string().length(16).unique(),
    /** claimed → queued (handed to a send run; its recipient row has WeCom's outcome) or skipped. */
    status: p.enum(['claimed', 'queued', 'skipped'] as const).default('claimed'),
    sendRunId: p.integer().nullable(),
    skipReason: p.string().length(64).nullable(),
    late: p.boolean().default(false),
    queuedAt: p.datetime().nullable(),
    couponRedeemedAt: p.datetime().nullable(),
  },
});
/** A row of birthday_greetings. */
export type IBirthdayGreeting = InferEntity<typeof BirthdayGreeting>;
