import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { FUNNEL_CONSUMPTION_TRIGGERS } from './stats-totals.entity.ts';

/**
 * A visit or purchase from the clinic's own systems (booking, HIS, a spreadsheet), keyed by the
 * customer's external_userid. `externalRef` (the source system's id) makes a re-import a no-op.
 */
export const CustomerConsumption = defineEntity({
  name: 'CustomerConsumption',
  tableName: 'customer_consumptions',
  // wework_customers.visited (stats-totals.entity.ts).
  triggers: FUNNEL_CONSUMPTION_TRIGGERS,
  uniques: [{ properties: ['source', 'externalRef'] }],
  indexes: [{ properties: ['externalUserid', 'occurredAt'] }],
  properties: {
    id: p.bigint().primary(),
    externalUserid: p.string().length(64),
    kind: p.string().length(16).$type<'visit' | 'purchase'>(),
    occurredAt: p.datetime(),
    /** Amount in fen (分); 0 for a visit without a purchase. */
    amountFen: p.bigint().default(0),
    project: p.string().length(100).nullable(),
    source: p.string().length(64),
    externalRef: p.string().length(128),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
/** A row of customer_consumptions. */
export type ICustomerConsumption = InferEntity<typeof CustomerConsumption>;
