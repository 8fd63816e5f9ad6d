import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Where a running sync chunk got to, written in the same transaction as the page it describes, so
 * a worker that dies mid-sync resumes after the last stored page and never reads it again.
 */
export const SyncCheckpoint = defineEntity({
  name: 'SyncCheckpoint',
  tableName: 'sync_checkpoints',
  properties: {
    /** `<workflowId>:<runId>:<chunk>`. */
    key: p.string().length(255).primary(),
    details: p.json<Record<string, unknown>>(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()).index(),
  },
});
/** A row of sync_checkpoints. */
export type ISyncCheckpoint = InferEntity<typeof SyncCheckpoint>;
