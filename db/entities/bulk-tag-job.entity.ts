import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * One bulk tag change asked for in the dashboard. Its customers are frozen into bulk_tag_items
 * when it is asked for (INSERT … SELECT of the filter), so the workflow carries only the job id;
 * the counts are kept by the workflow's activities and read by the page's progress bar.
 */
export const BulkTagJob = defineEntity({
  name: 'BulkTagJob',
  tableName: 'bulk_tag_jobs',
  properties: {
    ...baseProperties,
    /** The dashboard user who asked (null once that user is deleted). */
    requestedBy: p.integer().nullable(),
    addTagIds: p.json<number[]>().default('[]').onCreate(() => []),
    removeTagIds: p.json<number[]>().default('[]').onCreate(() => []),
    /** The customer filter of "all N matching", or null for ticked rows (kept for the audit trail). */
    filter: p.json<Record<string, unknown>>().nullable(),
    status: p.string().length(16).default('running'),
    total: p.integer().default(0),
    done: p.integer().default(0),
    failed: p.integer().default(0),
    failedByReason: p.json<Record<string, number>>().default('{}'),
    workflowId: p.string().length(200),
    /** The first run's id, for the Temporal UI link. */
    runId: p.string().length(64).nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
/** A row of bulk_tag_jobs. */
export type IBulkTagJob = InferEntity<typeof BulkTagJob>;

/** One customer of a bulk tag change and what became of it (pending, done, failed with a reason). */
export const BulkTagItem = defineEntity({
  name: 'BulkTagItem',
  tableName: 'bulk_tag_items',
  properties: {
    jobId: p.integer().primary(),
    customerId: p.integer().primary(),
    state: p.string().length(16).default('pending'),
    reason: p.string().length(40).nullable(),
  },
});
/** A row of bulk_tag_items. */
export type IBulkTagItem = InferEntity<typeof BulkTagItem>;
