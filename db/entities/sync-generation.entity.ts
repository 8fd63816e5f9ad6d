import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * One pass of the customer sync. Every relationship the pass sees is stamped with its generation
 * (wework_customer_follows.sync_generation); once the pass has read every page, the active
 * relationships of its staff with an older stamp are gone from WeCom: their deletion was missed.
 */
export const SyncGeneration = defineEntity({
  name: 'SyncGeneration',
  tableName: 'sync_generations',
  properties: {
    generation: p.bigint('number').primary().autoincrement(),
    /** `<workflowId>:<runId>`: a retried activity gets the same generation back. */
    runKey: p.string().length(255).unique(),
    startedAt: p.datetime().onCreate(() => new Date()),
    completedAt: p.datetime().nullable(),
  },
});
/** A row of sync_generations. */
export type ISyncGeneration = InferEntity<typeof SyncGeneration>;
