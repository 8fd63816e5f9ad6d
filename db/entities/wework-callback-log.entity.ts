import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * Every callback delivery WeCom made (seed §4.5): the decrypted XML, what it was, and whether its
 * workflow has finished, so an operator can explain any event. Written with the inbox row in one
 * statement (db/callback-inbox.store.ts); refused requests are only counted (wework_callback_rejections).
 * `failed` and `rejected` remain for rows written before the inbox.
 */
export const WeworkCallbackLog = defineEntity({
  name: 'WeworkCallbackLog',
  tableName: 'wework_callback_logs',
  indexes: [
    // markCallbackProcessed: `update … where workflow_id = ? and processed = false` at the end of every event workflow.
    { name: 'wework_callback_logs_unprocessed_workflow_index', expression: 'create index "wework_callback_logs_unprocessed_workflow_index" on "wework_callback_logs" ("workflow_id") where "processed" = false' },
    // The retention purge deletes by age, in batches.
    { name: 'wework_callback_logs_created_at_index', properties: ['createdAt'] },
  ],
  properties: {
    ...baseProperties,
    eventType: p.string().length(100).index(),
    changeType: p.string().length(100).nullable(),
    externalUserid: p.string().length(64).nullable().index(),
    userId: p.string().length(64).nullable(),
    state: p.string().length(30).nullable(),
    dedupeKey: p.string().length(200).nullable().index(),
    rawData: p.text().nullable(),
    outcome: p.enum(['accepted', 'duplicate', 'rejected', 'failed'] as const).index(),
    error: p.text().nullable(),
    workflowId: p.string().length(255).nullable(),
    processed: p.boolean().default(false).index(),
  },
});
/** A row of wework_callback_logs. */
export type IWeworkCallbackLog = InferEntity<typeof WeworkCallbackLog>;
