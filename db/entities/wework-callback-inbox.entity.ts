import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * One WeCom event made durable by the callback endpoint, before any workflow runs: the API answers
 * WeCom once this row is committed, and starts the event's workflow from it (at once, or through the
 * relay). WeCom's redeliveries of the same event only raise `deliveries`. Written and claimed with
 * plain SQL (api/wework/callback-inbox.ts); the entity is for reads.
 */
export const WeworkCallbackInbox = defineEntity({
  name: 'WeworkCallbackInbox',
  tableName: 'wework_callback_inbox',
  indexes: [
    // The relay's claim: pending rows, add events first, oldest first.
    { name: 'wework_callback_inbox_pending_index', expression: `create index "wework_callback_inbox_pending_index" on "wework_callback_inbox" ("priority", "id") where "status" = 'pending'` },
    // The relay's claim of add events: newest CreateTime first (the WelcomeCode's life runs from it).
    { name: 'wework_callback_inbox_pending_adds_index', expression: `create index "wework_callback_inbox_pending_adds_index" on "wework_callback_inbox" ("event_created_at" desc nulls last, "id" desc) where "status" = 'pending' and "priority" = 0` },
    // Pruning finds dispatched rows by age.
    { name: 'wework_callback_inbox_dispatched_index', expression: `create index "wework_callback_inbox_dispatched_index" on "wework_callback_inbox" ("dispatched_at") where "status" = 'dispatched'` },
  ],
  properties: {
    id: p.bigint('number').primary(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
    dedupeKey: p.string().length(200).unique(),
    eventKind: p.string().length(100),
    workflowId: p.string().length(255),
    /** 0 for add events (their WelcomeCode expires in 20 s), 1 for the rest. */
    priority: p.smallint().default(1),
    rawXml: p.text(),
    /** The event's CreateTime (WeCom's clock), when it has one. */
    eventCreatedAt: p.datetime().nullable(),
    status: p.enum(['pending', 'dispatched', 'dead'] as const).default('pending'),
    deliveries: p.integer().default(1),
    attempts: p.integer().default(0),
    leaseUntil: p.datetime().nullable(),
    dispatchedAt: p.datetime().nullable(),
    /** Why the last start failed; for a dead row, why it can never start. */
    lastError: p.text().nullable(),
  },
});
/** A row of wework_callback_inbox. */
export type IWeworkCallbackInbox = InferEntity<typeof WeworkCallbackInbox>;
