import { z } from 'zod';

/** The one JSON error shape every `/api/` route answers with (SPEC §3). */
export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
