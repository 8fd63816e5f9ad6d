import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Named activity-option presets. Each says why its limits are what they are; workflows pick one
 * instead of inventing numbers.
 */
export const activityPresets = {
  /**
   * Health probe: it answers someone waiting on the dashboard, so it must fail fast rather than
   * retry for minutes; a second attempt covers a worker that restarted mid-call.
   */
  probe: {
    startToCloseTimeout: '5 seconds',
    scheduleToCloseTimeout: '10 seconds',
    retry: { maximumAttempts: 2, initialInterval: '200 milliseconds' },
  },
} satisfies Record<string, ActivityOptions>;
