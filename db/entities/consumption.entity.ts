import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { statementTriggers } from './stats-totals.entity.ts';

/**
 * A visit or purchase from the clinic's own systems (booking, HIS, a spreadsheet), keyed by the
 * customer's external_userid. `externalRef` (the source system's id) makes a re-import a no-op.
 */
export const CustomerConsumption = defineEntity({
  name: 'CustomerConsumption',
  tableName: 'customer_consumptions',
  uniques: [{ properties: ['source', 'externalRef'] }],
  indexes: [{ properties: ['externalUserid', 'occurredAt'] }],
  // Keep wework_customers.last_consumed_at and spend_fen current (migration customer_sorts defines the function).
  triggers: statementTriggers('customer_consumptions_customer', 'customer_consumptions', 'wework_customers_refresh_consumption'),
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
