import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * STAND-IN for the campaigns feature's consent ledger (same table name and meaning, fewer
 * columns): a customer's current marketing consent, keyed by external_userid. No row = never
 * granted = no marketing (SPEC §5). Replaced when the campaigns branch's ledger is merged.
 */
export const CustomerConsent = defineEntity({
  name: 'CustomerConsent',
  tableName: 'customer_consents',
  properties: {
    ...baseProperties,
    externalUserid: p.string().length(64).unique(),
    marketing: p.string().length(16).$type<'granted' | 'withdrawn'>(),
    source: p.string().length(64),
    changedAt: p.datetime(),
  },
});
/** A row of customer_consents. */
export type ICustomerConsent = InferEntity<typeof CustomerConsent>;
