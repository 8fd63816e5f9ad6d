import { durationMs } from './workflow-handler-names.ts';
import { z } from 'zod';

/**
 * Journey steps: what a customer of a channel goes through after onboarding. Steps run in order;
 * a branch skips the next `elseSkip` steps when its condition does not hold, so a journey always
 * moves forward and always ends.
 */

/** A condition a branch step tests. */
export const journeyConditionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tag'), tag: z.string().min(1).max(30) }),
  z.object({ type: z.literal('booked') }),
  z.object({ type: z.literal('weather'), is: z.enum(['rain', 'clear', 'cloudy', 'snow']) }),
]);
/** A branch condition. */
export type JourneyCondition = z.infer<typeof journeyConditionSchema>;

const durationSchema = z.object({
  days: z.number().int().min(0).max(365).default(0),
  hours: z.number().int().min(0).max(23).default(0),
  minutes: z.number().int().min(0).max(59).default(0),
}).refine((d) => d.days + d.hours + d.minutes > 0, { message: 'a wait must last at least a minute' });

/** One step of a journey. */
export const journeyStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wait'), duration: durationSchema }),
  z.object({ kind: z.literal('waitUntil'), time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'time must be HH:MM' }) }),
  z.object({ kind: z.literal('send'), text: z.string().trim().min(1).max(2000) }),
  z.object({ kind: z.literal('tag'), tag: z.string().trim().min(1).max(30) }),
  z.object({ kind: z.literal('branch'), condition: journeyConditionSchema, elseSkip: z.number().int().min(1).max(50) }),
  z.object({ kind: z.literal('exit') }),
]);
/** One journey step. */
export type JourneyStep = z.infer<typeof journeyStepSchema>;

/** A journey's step list: at least one step, and no branch that skips past the end. */
export const journeyStepsSchema = z.array(journeyStepSchema).min(1).max(50).superRefine((steps, ctx) => {
  steps.forEach((step, index) => {
    if (step.kind === 'branch' && index + step.elseSkip >= steps.length) {
      ctx.addIssue({ code: 'custom', path: [index, 'elseSkip'], message: `step ${index + 1} skips past the last step` });
    }
  });
});

/** `POST /api/journeys` and `PUT /api/journeys/:id`: a new journey, or a new version of one. */
export const saveJourneyRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  channel: z.string().trim().min(1).max(30),
  active: z.boolean().default(true),
  steps: journeyStepsSchema,
});
/** Body of a journey save. */
export type SaveJourneyRequest = z.infer<typeof saveJourneyRequestSchema>;

/** Why a customer left a journey before its end. */
export const JOURNEY_EXIT_REASONS = ['booked', 'lost', 'opted_out'] as const;
/** One exit reason. */
export type JourneyExitReason = (typeof JOURNEY_EXIT_REASONS)[number];

/** Milliseconds of a wait step's duration (defined zod-free, for workflows). */
export { durationMs };

/** One entry of a journey's timeline preview: when (offset from entry) each step runs, at the earliest. */
export interface TimelineEntry { index: number; step: JourneyStep; atMs: number }

/**
 * The timeline a customer entering at `entryMs` would follow if every branch held (the preview of
 * the editor); `waitUntil` is approximated in the browser's own clock.
 */
export function previewTimeline(steps: JourneyStep[], entryMs = 0): TimelineEntry[] {
  let at = entryMs;
  return steps.map((step, index) => {
    if (step.kind === 'wait') at += durationMs(step.duration);
    if (step.kind === 'waitUntil') {
      const [h, m] = step.time.split(':').map(Number) as [number, number];
      const dayStart = at - (at % 86_400_000);
      const target = dayStart + (h * 60 + m) * 60_000;
      at = target > at ? target : target + 86_400_000;
    }
    return { index, step, atMs: at };
  });
}

/** What is wrong in a step list, as a code the editor puts into the user's language. */
export type JourneyProblem =
  | 'noSteps' | 'tooManySteps' | 'text' | 'tag' | 'time' | 'duration' | 'conditionTag' | 'elseSkip' | 'pastEnd' | 'invalid';

/** One problem of a step list: the step it is in (0-based; null for the list as a whole) and what. */
export interface StepIssue { step: number | null; problem: JourneyProblem }

/** The field of a step an issue's path points at, as a problem code. */
function problemOf(field: PropertyKey | undefined, sub: PropertyKey | undefined, code: string): JourneyProblem {
  if (field === 'text') return 'text';
  if (field === 'tag') return 'tag';
  if (field === 'time') return 'time';
  if (field === 'duration') return 'duration';
  if (field === 'condition' && sub === 'tag') return 'conditionTag';
  if (field === 'elseSkip') return code === 'custom' ? 'pastEnd' : 'elseSkip';
  return 'invalid';
}

/** Validation problems of a step list, each naming its step, for the editor (one per step and field). */
export function stepIssues(steps: unknown): StepIssue[] {
  const parsed = journeyStepsSchema.safeParse(steps);
  if (parsed.success) return [];
  const seen = new Set<string>();
  return parsed.error.issues.flatMap((issue): StepIssue[] => {
    const [index, field, sub] = issue.path;
    const found: StepIssue = typeof index === 'number'
      ? { step: index, problem: problemOf(field, sub, issue.code) }
      : { step: null, problem: issue.code === 'too_big' ? 'tooManySteps' : 'noSteps' };
    const id = `${found.step}:${found.problem}`;
    if (seen.has(id)) return [];
    seen.add(id);
    return [found];
  });
}
