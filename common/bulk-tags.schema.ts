import { z } from 'zod';
import { customerFilterSchema } from './customers.schema.ts';

/**
 * Bulk tagging (`/api/bulk-tags`): add and remove tags on many customers at once, through a
 * workflow that calls WeCom's mark_tag for every relationship, in chunks, within WeCom's quota.
 */

/** The most customers one bulk change may touch (the export's cap: the whole clinic). */
export const BULK_TAG_MAX = 100_000;

/** Why a customer of a bulk change was not tagged (the result groups failures by these). */
export const BULK_TAG_REASONS = ['not_followed', 'relationship_gone', 'customer_gone', 'wecom_refused'] as const;
/** One failure reason. */
export type BulkTagReason = (typeof BULK_TAG_REASONS)[number];

/** Body of `POST /api/bulk-tags`: the chosen rows (`customerIds`) or everything a filter matches, and the tags. */
export const bulkTagRequestSchema = z.object({
  /** The rows ticked on the page. */
  customerIds: z.array(z.number().int().positive()).min(1).max(1000).optional(),
  /** "All N matching": the list's filter, as it is when the request arrives. */
  filter: customerFilterSchema.optional(),
  add: z.array(z.number().int().positive()).max(100).default([]),
  remove: z.array(z.number().int().positive()).max(100).default([]),
}).refine((body) => (body.customerIds === undefined) !== (body.filter === undefined), { error: 'give either customerIds or filter' })
  .refine((body) => body.add.length + body.remove.length > 0, { error: 'give at least one tag to add or remove' })
  .refine((body) => !body.add.some((id) => body.remove.includes(id)), { error: 'a tag cannot be added and removed at once' });
/** Body of `POST /api/bulk-tags`. */
export type BulkTagRequest = z.input<typeof bulkTagRequestSchema>;

/** States of a bulk change. */
export const BULK_TAG_STATUSES = ['running', 'completed', 'failed'] as const;

/** Answer of `POST /api/bulk-tags` and `GET /api/bulk-tags/:id`: progress and result. */
export const bulkTagJobSchema = z.object({
  id: z.number().int(),
  status: z.enum(BULK_TAG_STATUSES),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  failedByReason: z.partialRecord(z.enum(BULK_TAG_REASONS), z.number().int()),
  add: z.array(z.number().int()),
  remove: z.array(z.number().int()),
  workflowId: z.string(),
  temporalUiUrl: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
/** Progress and result of a bulk change. */
export type BulkTagJob = z.infer<typeof bulkTagJobSchema>;

/** Input of bulkTagWorkflow (versioned JSON): the job row holds the customers and the tags. */
export const bulkTagInputSchema = z.object({
  version: z.literal(1),
  jobId: z.number().int().positive(),
  /** Where a continued run resumes (customer id of the last item handled). */
  after: z.number().int().min(0).optional(),
});
/** Input of bulkTagWorkflow. */
export type BulkTagInput = z.infer<typeof bulkTagInputSchema>;
