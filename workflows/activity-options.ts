import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Named activity-option presets. Each says why its limits are what they are; workflows pick one
 * instead of inventing numbers. Errors WeCom will never accept (configuration, invalid request)
 * are thrown non-retryable by the activities, so these policies only retry what can succeed.
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
  /**
   * The welcome message: WeCom accepts a WelcomeCode for 20 s after the add event, so every
   * attempt must be short and the whole step must end well inside that window; after it, the
   * code is dead and retrying is pointless.
   */
  welcome: {
    startToCloseTimeout: '4 seconds',
    scheduleToCloseTimeout: '15 seconds',
    retry: { initialInterval: '300 milliseconds', backoffCoefficient: 2, maximumInterval: '3 seconds', maximumAttempts: 5 },
  },
  /**
   * Reading from and writing to WeCom (detail, tags): a customer must not be lost to a WeCom
   * outage or a rate-limit minute (45009 blocks for 60 s), so keep retrying with backoff for a day.
   */
  wecom: {
    startToCloseTimeout: '15 seconds',
    scheduleToCloseTimeout: '24 hours',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
  },
  /**
   * Our own database: a restart or failover takes seconds to a few minutes; retry quickly, then
   * patiently, for as long as it takes.
   */
  database: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  },
  /**
   * Staff notifications: useful for a few hours at most; WeCom drops app messages past 30 a
   * minute per member, so back off generously instead of hammering.
   */
  notification: {
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '3 hours',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  },
  /**
   * Sync pages (batch/get_by_user): a chunk reads ~20 pages of 100 customers and stores each with
   * its cursor checkpoint. The heartbeat after every page lets Temporal notice a dead worker within
   * 10 s and retry the chunk elsewhere, where it resumes after the last stored page. Rate limits
   * (45009 blocks a minute) and outages are retried patiently: a sync may finish late, never half.
   */
  syncPages: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '10 seconds',
    scheduleToCloseTimeout: '12 hours',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  /**
   * A change a marketer made in the dashboard (tags): the API waits a few seconds for it to show
   * the result, but WeCom must get it even if it is down now, so retries continue for a day.
   */
  dashboardEdit: {
    startToCloseTimeout: '15 seconds',
    scheduleToCloseTimeout: '24 hours',
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '2 minutes' },
  },
  /**
   * Automations reaching customers and staff (reminders, greetings, journey sends): each call
   * submits at most a batch of 群发 tasks; a WeCom outage or a rate-limit minute must delay a
   * reminder, not drop it, but a reminder hours late is worthless, so retries stop after 2 hours.
   */
  automationSend: {
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '2 hours',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  },
} satisfies Record<string, ActivityOptions>;
