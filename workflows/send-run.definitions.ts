import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { SEND_RUN_HANDLERS as H } from '../common/workflow-handler-names.ts';

/** Where a send run's workflow is, for the API and the Temporal UI. */
export type SendRunProgress = { phase: 'preparing' | 'deferred' | 'sending' | 'tracking' | 'done'; paused: boolean; cancelled: boolean; batchesSubmitted: number };

/** Holds further submissions (tasks already submitted stay with their senders). */
export const pauseSendUpdate = defineUpdate<void>(H.pause);
/** Continues submitting after a pause. */
export const resumeSendUpdate = defineUpdate<void>(H.resume);
/** Stops submitting, cancels submitted tasks not yet confirmed and stops reminders. */
export const cancelSendUpdate = defineUpdate<void>(H.cancel);
/** 提醒员工: reminds unconfirmed senders now (one sender, or all); answers how many tasks were reminded. */
export const remindSendUpdate = defineUpdate<number, [{ sender?: string }]>(H.remind);
/** The workflow's phase and flags. */
export const sendProgressQuery = defineQuery<SendRunProgress>(H.progress);
