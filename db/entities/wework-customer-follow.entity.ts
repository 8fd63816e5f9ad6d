import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';
import { ROLLUP_TRIGGERS } from './follow-daily-stat.entity.ts';
import { CHANNEL_FOLLOW_TRIGGERS } from './stats-totals.entity.ts';
import { WeworkCustomer } from './wework-customer.entity.ts';

/** The DDL of one statement-level trigger that refreshes wework_customers.lost after `event`. */
function lostTriggerDdl(event: 'insert' | 'update' | 'delete'): string {
  const transition = { insert: 'new table as new_rows', update: 'old table as old_rows new table as new_rows', delete: 'old table as old_rows' }[event];
  return `create trigger wework_customer_follows_lost_${event.slice(0, 3)} after ${event} on wework_customer_follows referencing ${transition} for each statement execute function wework_customers_refresh_lost();`;
}

/**
 * One staff member following one customer (WeCom's follow_user). `status` becomes `lost` when the
 * customer deletes the staff member or the staff member deletes the customer.
 */
export const WeworkCustomerFollow = defineEntity({
  name: 'WeworkCustomerFollow',
  tableName: 'wework_customer_follows',
  uniques: [{ properties: ['customer', 'staffUserid'] }],
  indexes: [
    // "lost or not" per customer, and add_way filters of the customer list.
    { name: 'wework_customer_follows_customer_id_status_index', properties: ['customer', 'status'] },
    { name: 'wework_customer_follows_add_way_index', properties: ['addWay'] },
    // The channel filter: its customers counted on the index alone (and the filters' distinct channels).
    { name: 'wework_customer_follows_state_customer_id_index', properties: ['state', 'customer'] },
    // The list's search also matches the staff member's remark (substring, pg_trgm).
    { name: 'wework_customer_follows_remark_trgm_index', expression: 'create index "wework_customer_follows_remark_trgm_index" on "wework_customer_follows" using gin ("remark" gin_trgm_ops)' },
  ],
  // Keep wework_customers.lost current (migration customers_lost_flag defines the function).
  triggers: [
    ...(['insert', 'update', 'delete'] as const).map((event) => ({
      name: `wework_customer_follows_lost_${event.slice(0, 3)}`,
      timing: 'after' as const,
      events: [event],
      forEach: 'statement' as const,
      expression: lostTriggerDdl(event),
    })),
    // The statistics' daily rollup (follow-daily-stat.entity.ts).
    ...ROLLUP_TRIGGERS,
    // All-time figures per channel (stats-totals.entity.ts).
    ...CHANNEL_FOLLOW_TRIGGERS,
  ],
  properties: {
    ...baseProperties,
    customer: () => p.manyToOne(WeworkCustomer).deleteRule('cascade'),
    staffUserid: p.string().length(64).index(),
    remark: p.string().length(255).nullable(),
    description: p.text().nullable(),
    addWay: p.smallint().nullable(),
    state: p.string().length(30).nullable(),
    operUserid: p.string().length(64).nullable(),
    wecomTagIds: p.json<string[]>().default('[]').onCreate(() => []),
    followedAt: p.datetime().nullable(),
    status: p.enum(['active', 'lost'] as const).default('active').index(),
    lostAt: p.datetime().nullable(),
    lostReason: p.string().length(64).nullable(),
    /** CreateTime (s) of the last add/edit/delete event applied: an older event changes nothing. */
    eventWatermark: p.bigint('number').nullable(),
    /**
     * The last sync generation (sync_generations) that saw this relationship in WeCom; callbacks
     * stamp the next one. A completed sync marks its staff's older active relationships lost.
     */
    syncGeneration: p.bigint('number').nullable(),
  },
});
/** A row of wework_customer_follows. */
export type IWeworkCustomerFollow = InferEntity<typeof WeworkCustomerFollow>;
