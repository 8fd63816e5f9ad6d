import { z } from 'zod';

/** State of one part of the product as reported by `GET /api/health/details`. */
export const componentHealthSchema = z.object({
  ok: z.boolean(),
  /** Short machine-readable status, e.g. `up`, `down`, `no-pollers`, `not-configured`. */
  status: z.string(),
  /** Human-readable detail (why it is down and how to fix it), in English; the dashboard translates `status`. */
  detail: z.string().optional(),
  latencyMs: z.number().optional(),
});
export type ComponentHealth = z.infer<typeof componentHealthSchema>;

/** Body of `GET /api/health/details`: overall verdict plus one entry per part. */
export const healthReportSchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  checkedAt: z.string(),
  temporalUiUrl: z.string().nullable(),
  /** The Temporal UI's workflow list in the product's namespace (the UI's root opens `default`). */
  temporalWorkflowsUrl: z.string().nullable().optional(),
  components: z.object({
    database: componentHealthSchema,
    temporal: componentHealthSchema,
    worker: componentHealthSchema.extend({ pollers: z.number().int().nonnegative() }),
    wecom: componentHealthSchema.extend({ configured: z.boolean(), corpId: z.string().nullable() }),
    /** The callback inbox: events stored but not yet started as workflows, and those that never can be. */
    inbox: componentHealthSchema.extend({
      backlog: z.number().int().nonnegative(),
      oldestAgeSeconds: z.number().nonnegative().nullable(),
      deadLetters: z.number().int().nonnegative(),
    }).optional(),
  }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/** Body of the public `GET /api/health`: a verdict only (details need a session). */
export const publicHealthSchema = z.object({ status: z.enum(['up', 'down']) });
export type PublicHealth = z.infer<typeof publicHealthSchema>;

/** Body of `POST /api/health/probe`: a round trip through a real workflow and activity on the worker. */
export const probeResultSchema = z.object({
  ok: z.boolean(),
  workflowId: z.string(),
  runId: z.string().nullable(),
  roundTripMs: z.number(),
  workerIdentity: z.string().nullable(),
  databaseOk: z.boolean(),
  error: z.string().optional(),
});
export type ProbeResult = z.infer<typeof probeResultSchema>;
