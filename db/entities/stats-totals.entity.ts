import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Counter shards: concurrent writers (onboarding, churn events, a sync's pages) rarely wait on one another's row. */
export const CUSTOMER_TOTAL_SHARDS = 16;

type Event = 'insert' | 'update' | 'delete';

/** Statement-level triggers on `table` calling `fn` with the statement's transition tables. */
export function statementTriggers(prefix: string, table: string, fn: string) {
  const transition = { insert: 'new table as new_rows', update: 'old table as old_rows new table as new_rows', delete: 'old table as old_rows' };
  return (['insert', 'update', 'delete'] as const).map((event: Event) => ({
    name: `${prefix}_${event.slice(0, 3)}`, timing: 'after' as const, events: [event], forEach: 'statement' as const,
    expression: `create trigger ${prefix}_${event.slice(0, 3)} after ${event} on ${table} referencing ${transition[event]} for each statement execute function ${fn}();`,
  }));
}

/** The active-customer count's triggers, declared on wework_customers (the table they are on). */
export const CUSTOMER_TOTAL_TRIGGERS = statementTriggers('wework_customers_total', 'wework_customers', 'stats_customer_totals_apply');
/** The channel totals' triggers on wework_customer_follows (added, lost). */
export const CHANNEL_FOLLOW_TRIGGERS = statementTriggers('wework_customer_follows_channel_total', 'wework_customer_follows', 'stats_channel_totals_follows');
/** The channel totals' triggers on leads (leads by `wework_<state>` source). */
export const CHANNEL_LEAD_TRIGGERS = statementTriggers('leads_channel_total', 'leads', 'stats_channel_totals_leads');

/** Keep wework_customers.booked current (appointments not cancelled, by external_userid). */
export const FUNNEL_APPOINTMENT_TRIGGERS = statementTriggers('appointments_funnel', 'appointments', 'wework_customers_refresh_booked');
/** A new customer whose bookings were recorded before WeCom added them starts with `booked` set. */
export const FUNNEL_CUSTOMER_TRIGGER = {
  name: 'wework_customers_funnel_ins', timing: 'before' as const, events: ['insert' as const], forEach: 'row' as const,
  expression: 'create trigger wework_customers_funnel_ins before insert on wework_customers for each row execute function wework_customers_funnel_flags();',
};

/**
 * A truncate zeroes the totals of what it emptied (test set-ups, an operator's reset). Created by
 * the migration only: MikroORM does not read truncate triggers back, so declared on the entities
 * they would show as a schema change forever.
 */
export const TRUNCATE_TRIGGERS = [
  ['wework_customers_total_tru', 'wework_customers', 'stats_customer_totals_reset'],
  ['wework_customer_follows_channel_total_tru', 'wework_customer_follows', 'stats_channel_totals_follows_reset'],
  ['leads_channel_total_tru', 'leads', 'stats_channel_totals_leads_reset'],
].map(([name, table, fn]) => ({ name: name!, table: table!, expression: `create trigger ${name} after truncate on ${table} for each statement execute function ${fn}();` }));

/**
 * How many customers are not lost (`wework_customers where not lost`, the overview's 当前客户总数),
 * as the sum of 16 shard rows kept by statement-level triggers on wework_customers
 * (Migration20261216010100_stats_totals defines the functions): the overview reads 16 rows
 * instead of counting 95,000. Never written by the application.
 */
export const CustomerTotal = defineEntity({
  name: 'CustomerTotal',
  tableName: 'stats_customer_totals',
  properties: {
    shard: p.smallint().primary().autoincrement(false),
    active: p.bigint('number').default(0),
  },
});
/** A shard row of stats_customer_totals. */
export type ICustomerTotal = InferEntity<typeof CustomerTotal>;

/**
 * All-time figures of one channel `state` ('' for none): relationships added (`followed_at` set)
 * and lost (`lost_at` set) as stats_follow_daily sums them over every day, and leads whose source
 * is `wework_<state>`. Kept by statement-level triggers on wework_customer_follows and leads, so
 * the channel-code list reads one row per code instead of summing the whole daily rollup.
 */
export const ChannelTotal = defineEntity({
  name: 'ChannelTotal',
  tableName: 'stats_channel_totals',
  properties: {
    state: p.string().length(64).primary(),
    added: p.bigint('number').default(0),
    lost: p.bigint('number').default(0),
    leads: p.bigint('number').default(0),
  },
});
/** A row of stats_channel_totals. */
export type IChannelTotal = InferEntity<typeof ChannelTotal>;
