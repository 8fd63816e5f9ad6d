import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/**
 * The welcome message: WeCom accepts a WelcomeCode for 20 s after the add event, so every
 * attempt must be short and the whole step must end well inside that window; after it, the
 * code is dead and retrying is pointless.
 */
const welcome = {
  startToCloseTimeout: '4 seconds',
  scheduleToCloseTimeout: '15 seconds',
  retry: { initialInterval: '300 milliseconds', backoffCoefficient: 2, maximumInterval: '3 seconds', maximumAttempts: 5 },
} satisfies ActivityOptions;

/**
 * Reading from and writing to WeCom (detail, tags): a customer must not be lost to a WeCom
 * outage or a rate-limit minute (45009 blocks for 60 s), so keep retrying with backoff for a day.
 */
const wecom = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
} satisfies ActivityOptions;

/**
 * Staff notifications: useful for a few hours at most; WeCom drops app messages past 30 a
 * minute per member, so back off generously instead of hammering.
 */
const notification = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '3 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} satisfies ActivityOptions;

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
  welcome,
  wecom,
  /**
   * Our own database: a restart or failover takes seconds to a few minutes; retry quickly, then
   * patiently, for as long as it takes.
   */
  database: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  },
  /**
   * Short steps in our own database on the hot path of an event (save the customer, the lead,
   * mark the callback processed), run as local activities: no activity task round trip through
   * the Temporal server per step, which is most of an onboarding's cost on the dev server. Same
   * retry as `database`; past a few seconds of retrying, the retry is scheduled by a timer.
   */
  localDatabase: {
    startToCloseTimeout: '10 seconds',
    localRetryThreshold: '5 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  },
  /**
   * The welcome as a local activity (onboarding's WeCom steps since patched('onboarding-local-wecom-steps')):
   * the same short attempts and 15 s deadline as `welcome`; every retry stays in the worker, since
   * the WelcomeCode's 20 s leave no room for a timer round trip through the server.
   */
  localWelcome: { ...welcome, localRetryThreshold: '15 seconds' },
  /**
   * Onboarding's WeCom reads and writes after the welcome (detail, tag) as local activities: the
   * `wecom` preset's day of patient retries, the first seconds of them in the worker and the
   * rest scheduled by workflow timers, so an outage or a 45009 minute does not hold a task slot.
   */
  localWecom: { ...wecom, localRetryThreshold: '5 seconds' },
  /** The staff notice of a new customer as a local activity: the `notification` preset, retried past 5 s by timers. */
  localNotification: { ...notification, localRetryThreshold: '5 seconds' },
  notification,
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
  /**
   * A journey's position row (a local activity: one upsert the dashboard's counts read). Quick,
   * and a row a few seconds late harms nobody, so it retries briefly and patiently.
   */
  journeyPosition: {
    startToCloseTimeout: '5 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  },
  /**
   * Submitting one 群发 batch (add_msg_template, ≤ 10,000 recipients): a campaign must never be lost
   * to a rate-limit minute (45009 blocks 60 s) or an outage, so retries go on without a deadline
   * and back off to a minute — a 45009 slows the send, it never fails it. The heartbeat (the
   * shared rate window heartbeats while it waits) lets a killed worker's attempt be retried within
   * seconds; the retry then looks for the task the dead attempt may have created.
   */
  sendSubmit: {
    startToCloseTimeout: '3 minutes',
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  /**
   * Preparing a send (screening and batching up to 100,000 frozen recipients in a few SQL
   * statements): longer than a row write, idempotent, so retried like the database preset.
   */
  sendPrepare: {
    startToCloseTimeout: '10 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  /**
   * Tracking a send (get_groupmsg_task/send_result for every batch, heartbeat per batch): results
   * stay in WeCom for days, so patience costs nothing; a dead worker is noticed by the heartbeat.
   */
  sendTrack: {
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes' },
  },
  /**
   * One chunk of a bulk tag change (≤ 100 customers, a mark_tag per relationship at the shared
   * per-minute quota, so a full window can make it wait a minute). The heartbeat per customer lets
   * a dead worker's chunk be retried within seconds; settled customers are skipped on retry. A
   * 45009 minute or an outage slows the change down, it never fails it: no deadline.
   */
  bulkTagChunk: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
} satisfies Record<string, ActivityOptions | LocalActivityOptions>;
