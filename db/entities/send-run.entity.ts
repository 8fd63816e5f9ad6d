import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Content } from '../../common/campaigns.schema.ts';
import { baseProperties } from './base.ts';

/**
 * One send through the shared send path (campaign fire, birthday day, journey step, reminder,
 * a message from the customer page). Content is frozen here when the run is created.
 */
export const SendRun = defineEntity({
  name: 'SendRun',
  tableName: 'send_runs',
  properties: {
    ...baseProperties,
    kind: p.string().length(16).$type<'campaign' | 'birthday' | 'journey' | 'appointment' | 'direct'>(),
    campaignId: p.integer().nullable().index(),
    campaignVersion: p.integer().nullable(),
    messageClass: p.string().length(16).$type<'marketing' | 'care'>(),
    content: p.json<Content>(),
    /** The secret its tracked-link codes are keyed with (null: a run from before, with unkeyed codes). */
    linkKey: p.string().length(32).nullable(),
    /** pending → screening → sending → tracking → completed | cancelled | failed; paused on request. */
    status: p.string().length(16).default('pending'),
    paused: p.boolean().default(false),
    failureReason: p.text().nullable(),
    workflowId: p.string().length(200).nullable(),
    startedAt: p.datetime().nullable(),
    submittedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
/** A row of send_runs. */
export type ISendRun = InferEntity<typeof SendRun>;

/**
 * ≤ 10,000 recipients of one sender: one add_msg_template call. `submitting` is written before
 * the call, so a retry knows the task may exist and looks for it before creating another.
 */
export const SendBatch = defineEntity({
  name: 'SendBatch',
  tableName: 'send_batches',
  uniques: [{ properties: ['runId', 'sender', 'seq'] }],
  indexes: [{ properties: ['runId', 'state'] }],
  properties: {
    ...baseProperties,
    runId: p.integer(),
    sender: p.string().length(64),
    seq: p.integer(),
    size: p.integer(),
    state: p.string().length(16).$type<'pending' | 'submitting' | 'submitted' | 'failed' | 'cancelled'>().default('pending'),
    msgid: p.string().length(128).nullable().unique(),
    failList: p.json<string[]>().default('[]').onCreate(() => []),
    /** When the first attempt claimed the batch: where a retry starts looking for a task a lost answer created. */
    submitStartedAt: p.datetime().nullable(),
    /** The attempt holding the batch while its add_msg_template call may be in flight (null: none). */
    submitClaim: p.string().length(32).nullable(),
    submittedAt: p.datetime().nullable(),
    /** The sender confirmed the task (get_groupmsg_task status 2). */
    confirmedAt: p.datetime().nullable(),
    resultsFinal: p.boolean().default(false),
    reminders: p.integer().default(0),
    lastRemindedAt: p.datetime().nullable(),
    /** Duplicate tasks found for this batch and cancelled (lost answers, concurrent attempts). */
    duplicatesCancelled: p.integer().default(0),
  },
});
/** A row of send_batches. */
export type ISendBatch = InferEntity<typeof SendBatch>;

/**
 * One customer of one run, frozen by INSERT … SELECT when the run is created (ids never travel
 * through workflow histories). state: pending → skipped | queued → submitted | failed | cancelled.
 */
export const SendRecipient = defineEntity({
  name: 'SendRecipient',
  tableName: 'send_recipients',
  uniques: [{ properties: ['runId', 'externalUserid'] }],
  indexes: [
    { properties: ['runId', 'state'] },
    { properties: ['batchId'] },
    // The monthly-cap count reads a customer's submitted sends.
    { properties: ['externalUserid', 'submittedAt'] },
  ],
  properties: {
    id: p.bigint().primary(),
    runId: p.integer(),
    customerId: p.integer().nullable(),
    externalUserid: p.string().length(64),
    sender: p.string().length(64).nullable(),
    state: p.string().length(16).default('pending'),
    skipReason: p.string().length(32).nullable(),
    batchId: p.integer().nullable(),
    /** delivered once WeCom reports send status 1. */
    result: p.string().length(16).nullable(),
    failReason: p.string().length(32).nullable(),
    submittedAt: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
    clickedAt: p.datetime().nullable(),
  },
});
/** A row of send_recipients. */
export type ISendRecipient = InferEntity<typeof SendRecipient>;

/** A tracked link: /l/:code redirects to `url` and records the click. One code per batch and link. */
export const TrackedLink = defineEntity({
  name: 'TrackedLink',
  tableName: 'tracked_links',
  indexes: [{ properties: ['runId'] }],
  properties: {
    code: p.string().length(24).primary(),
    runId: p.integer(),
    batchId: p.integer().nullable(),
    url: p.text(),
    clicks: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
/** A row of tracked_links. */
export type ITrackedLink = InferEntity<typeof TrackedLink>;

/** A shared per-minute rate window: every worker takes its slots from the same row. */
export const RateWindow = defineEntity({
  name: 'RateWindow',
  tableName: 'rate_windows',
  properties: {
    key: p.string().length(64).primary(),
    windowStart: p.datetime(),
    used: p.integer().default(0),
  },
});
/** A row of rate_windows. */
export type IRateWindow = InferEntity<typeof RateWindow>;
