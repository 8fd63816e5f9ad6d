import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';
import { DEFAULT_CLINIC_TIME_ZONE } from '../../common/clinic-time.ts';
import { ROLLUP_REBUILD_TRIGGER } from './follow-daily-stat.entity.ts';

/**
 * A customer's current marketing consent, keyed by external_userid so an import from the clinic's
 * records may arrive before the customer is synced. No row = never granted = no marketing.
 */
export const CustomerConsent = defineEntity({
  name: 'CustomerConsent',
  tableName: 'customer_consents',
  properties: {
    ...baseProperties,
    externalUserid: p.string().length(64).unique(),
    marketing: p.string().length(16).$type<'granted' | 'withdrawn'>(),
    /** The customer opted out of care messages too (rare; care needs no consent otherwise). */
    careOptOut: p.boolean().default(false),
    source: p.string().length(64),
    changedAt: p.datetime(),
    /** A random token for the customer's consent page link. */
    pageToken: p.string().length(48).nullable().unique(),
  },
});
/** A row of customer_consents. */
export type ICustomerConsent = InferEntity<typeof CustomerConsent>;

/** The ledger: every grant and withdrawal with source, evidence, actor and time; never updated. */
export const ConsentEvent = defineEntity({
  name: 'ConsentEvent',
  tableName: 'consent_events',
  indexes: [{ properties: ['externalUserid', 'createdAt'] }],
  properties: {
    id: p.bigint().primary(),
    externalUserid: p.string().length(64),
    marketing: p.string().length(16).$type<'granted' | 'withdrawn'>(),
    /** import, page, staff, keyword… */
    source: p.string().length(64),
    evidence: p.text().nullable(),
    /** The consent text's version the customer saw (consent page). */
    textVersion: p.string().length(32).nullable(),
    actorUserId: p.integer().nullable(),
    actorUsername: p.string().length(200).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
/** A row of consent_events. */
export type IConsentEvent = InferEntity<typeof ConsentEvent>;

/** The clinic's compliance settings (one row, id 1). */
export const ClinicSettings = defineEntity({
  name: 'ClinicSettings',
  tableName: 'clinic_settings',
  triggers: [ROLLUP_REBUILD_TRIGGER],
  properties: {
    ...baseProperties,
    timeZone: p.string().length(64).default(DEFAULT_CLINIC_TIME_ZONE),
    /** "HH:MM"; both null = no quiet hours (the default: staff confirm every 群发 themselves). */
    quietStart: p.string().length(5).nullable(),
    quietEnd: p.string().length(5).nullable(),
    /** Marketing messages per customer per month, on top of WeCom's cap; null = WeCom's only. */
    monthlyCap: p.integer().nullable(),
    /** add_msg_template calls per minute across all workers (WeCom allows 10,000/min per corp). */
    submitPerMinute: p.integer().default(600),
  },
});
/** A row of clinic_settings. */
export type IClinicSettings = InferEntity<typeof ClinicSettings>;

/** A medical-advertising term admins maintain; seeded from common/compliance.ts. */
export const ForbiddenTermRow = defineEntity({
  name: 'ForbiddenTermRow',
  tableName: 'forbidden_terms',
  properties: {
    ...baseProperties,
    term: p.string().length(64).unique(),
    reason: p.text(),
  },
});
/** A row of forbidden_terms. */
export type IForbiddenTermRow = InferEntity<typeof ForbiddenTermRow>;
