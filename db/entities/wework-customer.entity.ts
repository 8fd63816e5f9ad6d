import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';
import { CUSTOMER_TOTAL_TRIGGERS, FUNNEL_CUSTOMER_TRIGGER } from './stats-totals.entity.ts';
import { Lead } from './lead.entity.ts';
import { WeworkCustomerFollow } from './wework-customer-follow.entity.ts';
import { Tag } from './tag.entity.ts';

/**
 * A WeCom external contact (seed §4.3). Unlike the seed, the staff who follow the customer live in
 * wework_customer_follows (SPEC §6): one customer can be followed by several staff members.
 */
export const WeworkCustomer = defineEntity({
  name: 'WeworkCustomer',
  tableName: 'wework_customers',
  indexes: [
    // The customer list's order (newest first) and its added-date filter, at 100,000 rows.
    { name: 'wework_customers_added_at_id_index', expression: 'create index "wework_customers_added_at_id_index" on "wework_customers" ("added_at" desc nulls last, "id" desc)' },
    // Substring search (ILIKE '%…%') over names and external ids needs trigram indexes (pg_trgm).
    { name: 'wework_customers_name_trgm_index', expression: 'create index "wework_customers_name_trgm_index" on "wework_customers" using gin ("name" gin_trgm_ops)' },
    { name: 'wework_customers_external_userid_trgm_index', expression: 'create index "wework_customers_external_userid_trgm_index" on "wework_customers" using gin ("external_userid" gin_trgm_ops)' },
    // The lost customers in list order: a few percent of the rows, read by the 已流失 filter.
    // The dashboard list sorted by name (issue 10), both directions, id as tiebreak.
    { name: 'wework_customers_name_id_index', expression: 'create index "wework_customers_name_id_index" on "wework_customers" ("name" asc nulls last, "id" asc)' },
    { name: 'wework_customers_lost_added_at_index', expression: 'create index "wework_customers_lost_added_at_index" on "wework_customers" ("added_at" desc nulls last, "id" desc) where "lost"' },
    // The overview's 30-day funnel reads the month's customers from this index alone (index-only scan).
    { name: 'wework_customers_funnel_index', expression: 'create index "wework_customers_funnel_index" on "wework_customers" ("added_at") include ("lead_id", "booked", "first_consumed_at")' },
    // The birthday engine's daily claim finds the day's birthdays by month and day, at 100,000 rows.
    { name: 'wework_customers_birthday_md_index', expression: 'create index "wework_customers_birthday_md_index" on "wework_customers" ((extract(month from "birthday") * 100 + extract(day from "birthday"))) where "birthday" is not null' },
    // The list sorted by last visit, total spend and next birthday (Migration20261217010100_customer_sorts).
    { name: 'wework_customers_last_consumed_at_id_index', expression: 'create index "wework_customers_last_consumed_at_id_index" on "wework_customers" ("last_consumed_at" desc nulls last, "id" desc)' },
    { name: 'wework_customers_spend_fen_id_index', expression: 'create index "wework_customers_spend_fen_id_index" on "wework_customers" ("spend_fen" desc, "id" desc)' },
    { name: 'wework_customers_birthday_md_id_index', expression: 'create index "wework_customers_birthday_md_id_index" on "wework_customers" ((extract(month from "birthday") * 100 + extract(day from "birthday")), "id") where "birthday" is not null' },
  ],
  // The overview's count of customers not lost and its funnel flags (stats-totals.entity.ts); visits
  // recorded before the customer was added count from the start (migration customer_sorts).
  triggers: [...CUSTOMER_TOTAL_TRIGGERS, FUNNEL_CUSTOMER_TRIGGER, {
    name: 'wework_customers_consumption_init', timing: 'before', events: ['insert'], forEach: 'row',
    expression: 'create trigger wework_customers_consumption_init before insert on wework_customers for each row execute function wework_customers_init_consumption();',
  }],
  properties: {
    ...baseProperties,
    externalUserid: p.string().length(64).unique(),
    name: p.string().length(255).nullable(),
    avatar: p.text().nullable(),
    gender: p.smallint().default(0),
    unionid: p.string().length(64).nullable(),
    type: p.smallint().nullable(),
    corpName: p.string().length(255).nullable(),
    birthday: p.date().nullable(),
    /** When the first staff member added the customer (WeCom's earliest follow createtime). */
    addedAt: p.datetime().nullable(),
    /**
     * Every staff relationship is lost (and there is at least one). Kept by a database trigger on
     * wework_customer_follows (migration customers_lost_flag), never written by the application.
     */
    lost: p.boolean().default(false),
    /** The first visit or purchase (customer_consumptions); kept by triggers (migration customer_sorts), never written by the application. */
    firstConsumedAt: p.datetime().nullable(),
    /** The latest visit or purchase; kept by the same triggers. */
    lastConsumedAt: p.datetime().nullable(),
    /** Total spend in fen over every purchase; kept by the same triggers. */
    spendFen: p.bigint().default(0),
    /**
     * Has an appointment that is not cancelled: the overview funnel's booked step (its visited step
     * is `firstConsumedAt`). Kept by triggers on appointments (migration funnel_flags), never
     * written by the application.
     */
    booked: p.boolean().default(false),
    lead: () => p.manyToOne(Lead).nullable().index(),
    follows: () => p.oneToMany(WeworkCustomerFollow).mappedBy('customer'),
    tags: () => p.manyToMany(Tag).pivotTable('wework_customer_tags'),
  },
});
/** A row of wework_customers. */
export type IWeworkCustomer = InferEntity<typeof WeworkCustomer>;
