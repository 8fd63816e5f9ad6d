/**
 * Names and small helpers that workflows share with the API, kept apart from the zod schemas: a
 * workflow that imports a `*.schema.ts` module bundles zod, and the worker evaluates every bundled
 * module again for each workflow it runs (each run has its own module cache), which cost more CPU
 * than the onboarding's own code (bench/README.md, callback-burst profile).
 */

/** Names of sendRunWorkflow's Updates and Query (the API addresses them by name, workflows define them). */
export const SEND_RUN_HANDLERS = { pause: 'pause', resume: 'resume', cancel: 'cancel', remind: 'remind', progress: 'sendProgress' } as const;

/** Name of the sync workflow's progress query (the definition lives in workflows/sync.definitions.ts). */
export const SYNC_PROGRESS_QUERY = 'syncProgress';

/** Milliseconds of a journey wait step's duration. */
export function durationMs(duration: { days: number; hours: number; minutes: number }): number {
  return ((duration.days * 24 + duration.hours) * 60 + duration.minutes) * 60_000;
}
