import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * Every callback delivery WeCom made, accepted or not (seed §4.5): the decrypted XML, what it was,
 * and what became of it, so an operator can replay or explain any event.
 */
export const WeworkCallbackLog = defineEntity({
  name: 'WeworkCallbackLog',
  tableName: 'wework_callback_logs',
  // The retention purge deletes by age, in batches.
  indexes: [{ name: 'wework_callback_logs_created_at_index', properties: ['createdAt'] }],
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
    /** When the replayer started the workflow of a delivery that had failed (Temporal was down). */
    replayedAt: p.datetime().nullable(),
  },
});
/** A row of wework_callback_logs. */
export type IWeworkCallbackLog = InferEntity<typeof WeworkCallbackLog>;
