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

/** A callback event's workflow whose latest run ended without completing (failed, terminated, timed out, cancelled), as admins see it. */
export const failedEventSchema = z.object({
  workflowId: z.string(),
  workflowType: z.string(),
  status: z.enum(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']),
  closedAt: z.string().nullable(),
  /** The failure's message (and its cause's), as the workflow recorded it: no event content. */
  reason: z.string().nullable(),
});
/** One failed event workflow. */
export type FailedEventView = z.infer<typeof failedEventSchema>;

/** Body of `GET /api/wework/events/failed`. */
export const failedEventListSchema = z.object({ items: z.array(failedEventSchema) });
/** The failed event workflows. */
export type FailedEventList = z.infer<typeof failedEventListSchema>;
