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
export interface TimelineEntry { index: number; step: JourneyStep; atMs: number; label: string }

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
    const hours = Math.round((at - entryMs) / 3_600_000);
    return { index, step, atMs: at, label: hours < 24 ? `+${hours}h` : `+${Math.floor(hours / 24)}d${hours % 24 ? ` ${hours % 24}h` : ''}` };
  });
}

const WEATHER_ZH = { rain: '雨天', clear: '晴天', cloudy: '阴天', snow: '雪天' } as const;

/** One step as the editor's timeline and the customers' positions read it: '发送「欢迎…」', '等待 1 天 2 小时'. */
export function describeStep(step: JourneyStep): string {
  switch (step.kind) {
    case 'wait': {
      const { days, hours, minutes } = step.duration;
      return `等待 ${[days ? `${days} 天` : '', hours ? `${hours} 小时` : '', minutes ? `${minutes} 分钟` : ''].filter(Boolean).join(' ') || '0 分钟'}`;
    }
    case 'waitUntil': return `等到 ${step.time}`;
    case 'send': return `发送「${step.text.length > 20 ? `${step.text.slice(0, 20)}…` : step.text}」`;
    case 'tag': return `打标签「${step.tag}」`;
    case 'branch': {
      const c = step.condition;
      const when = c.type === 'tag' ? `有标签「${c.tag}」` : c.type === 'booked' ? '已预约' : `${WEATHER_ZH[c.is]}`;
      return `若${when}则继续，否则跳过 ${step.elseSkip} 步`;
    }
    default: return '结束旅程';
  }
}

/** Validation problems of a step list, each naming its step ('第 2 步：…'), for the editor. */
export function stepProblems(steps: unknown): string[] {
  const parsed = journeyStepsSchema.safeParse(steps);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const [index, ...rest] = issue.path;
    return typeof index === 'number' ? `第 ${index + 1} 步${rest.length ? `（${rest.join('.')}）` : ''}：${issue.message}` : issue.message;
  });
}
