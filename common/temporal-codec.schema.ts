import { z } from 'zod';

const base64 = z.string().max(4 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'must be base64' });

/** One payload as the Temporal codec-server protocol carries it: metadata values and data in base64. */
export const codecPayloadSchema = z.object({
  metadata: z.record(z.string().max(200), base64).optional(),
  data: base64.optional(),
});

/** The body of `POST /api/temporal-codec/{encode,decode}` and of its answer. */
export const codecRequestSchema = z.object({
  payloads: z.array(codecPayloadSchema).max(1000),
});
/** A codec request or answer. */
export type CodecRequest = z.infer<typeof codecRequestSchema>;
