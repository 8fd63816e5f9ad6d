import { z } from 'zod';

/** A callback event the inbox could not start (Temporal refused it, or it cannot be read), as admins see it. */
export const deadLetterSchema = z.object({
  id: z.string(),
  dedupeKey: z.string(),
  eventKind: z.string(),
  workflowId: z.string(),
  deliveries: z.number().int(),
  attempts: z.number().int(),
  reason: z.string().nullable(),
  receivedAt: z.string(),
  deadSince: z.string(),
});
/** One dead letter. */
export type DeadLetterView = z.infer<typeof deadLetterSchema>;

/** Body of `GET /api/wework/inbox/dead-letters`. */
export const deadLetterListSchema = z.object({ items: z.array(deadLetterSchema) });
/** The dead-letter list. */
export type DeadLetterList = z.infer<typeof deadLetterListSchema>;
