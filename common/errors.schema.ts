import { z } from 'zod';

/** The one JSON error shape every `/api/` route answers with (SPEC §3). */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** The form field the error is about (`state`, `conclusions.text.content`…), for inline display. */
    field: z.string().optional(),
    /** What to fix, in both dashboard languages (e.g. WeCom's errcode advice from wecom/errors.ts). */
    fix: z.object({ zh: z.string(), en: z.string() }).optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
