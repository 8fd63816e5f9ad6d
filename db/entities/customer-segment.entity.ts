import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/** A saved customer filter with a name (客户分群): the list's quick view, and a campaign's audience. */
export const CustomerSegment = defineEntity({
  name: 'CustomerSegment',
  tableName: 'customer_segments',
  properties: {
    ...baseProperties,
    name: p.string().length(60).unique(),
    /** A `customerFilterSchema` object (common/customers.schema.ts), without `segmentId`. */
    filter: p.json<Record<string, unknown>>(),
    /** The dashboard user who saved it (null once that user is deleted). */
    createdBy: p.integer().nullable(),
  },
});
/** A row of customer_segments. */
export type ICustomerSegment = InferEntity<typeof CustomerSegment>;
