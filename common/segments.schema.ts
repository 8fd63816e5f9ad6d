import { z } from 'zod';
import { customerFilterSchema } from './customers.schema.ts';

/** A segment's filter: any customer filter except a reference to another segment. */
export const segmentFilterSchema = customerFilterSchema.omit({ segmentId: true });

/** Body of `POST /api/segments` and `PUT /api/segments/:id`. */
export const segmentInputSchema = z.object({
  name: z.string().trim().min(1, { error: 'name_required' }).max(60, { error: 'name_too_long' }),
  filter: segmentFilterSchema,
});
/** A segment as the form sends it. */
export type SegmentInput = z.input<typeof segmentInputSchema>;

/** One saved segment (客户分群), as `/api/segments` answers it. */
export const segmentSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  filter: segmentFilterSchema,
  createdBy: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** One saved segment. */
export type Segment = z.infer<typeof segmentSchema>;

/** `GET /api/segments`. */
export const segmentListSchema = z.object({ items: z.array(segmentSchema) });
