import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SendRunInput } from '../common/campaigns.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import { cancelSendUpdate, pauseSendUpdate, remindSendUpdate, resumeSendUpdate, sendProgressQuery, type SendRunProgress } from './send-run.definitions.ts';

const database = proxyActivities<Activities>(activityPresets.database);
const prepare = proxyActivities<Activities>(activityPresets.sendPrepare);
const submit = proxyActivities<Activities>(activityPresets.sendSubmit);
const track = proxyActivities<Activities>(activityPresets.sendTrack);
const wecom = proxyActivities<Activities>(activityPresets.wecom);

/** Batches fetched per round trip; the workflow carries only their ids. */
const BATCH_PAGE = 20;
/** Activities per run before continuing as new, so history stays small at any audience size. */
const ACTIVITIES_PER_RUN = 300;

/**
 * The shared send path (SPEC §2.7): screen the run's frozen recipients (consent, caps; quiet hours
 * defer), cut them into batches of ≤ 10,000 per sender, submit each batch once (rate-limited
 * across workers; a lost answer is found in WeCom, not re-sent), then track staff confirmation,
 * remind, and collect every recipient's result until the send window closes, when tasks still
 * unconfirmed are withdrawn. Pause, resume, cancel and remind are Updates. A run with `cancelAt`
 * cancels itself at that moment (what is unsent or unconfirmed by then would arrive too late).
 * Continues as new every few hundred activities.
 */
export async function sendRunWorkflow(input: SendRunInput): Promise<{ status: string }> {
  const runId = input.runId;
  const progress: SendRunProgress = { phase: 'preparing', paused: input.paused ?? false, cancelled: input.cancelled ?? false, batchesSubmitted: 0 };
  let activities = 0;
  let finished = false;
  const deadline = input.cancelAt ? Date.parse(input.cancelAt) : null;
  const tooLate = () => deadline !== null && Date.now() >= deadline;
  /** `ms`, or less when the deadline comes first (runs without one wait exactly as before). */
  const untilDeadline = (ms: number) => (deadline === null ? ms : Math.max(1, Math.min(ms, deadline - Date.now())));

  setHandler(sendProgressQuery, () => progress);
  setHandler(pauseSendUpdate, async () => {
    progress.paused = true;
    await database.setSendRunState({ runId, paused: true });
  }, { validator: () => {
    if (finished || progress.cancelled) throw new Error('the send has ended');
    if (progress.phase === 'tracking') throw new Error('every batch is already submitted');
    if (progress.paused) throw new Error('the send is already paused');
  } });
  setHandler(resumeSendUpdate, async () => {
    progress.paused = false;
    await database.setSendRunState({ runId, paused: false });
  }, { validator: () => {
    if (finished || progress.cancelled) throw new Error('the send has ended');
    if (!progress.paused) throw new Error('the send is not paused');
  } });
  setHandler(cancelSendUpdate, () => {
    progress.cancelled = true;
  }, { validator: () => {
    if (finished || progress.cancelled) throw new Error('the send has ended');
  } });
  setHandler(remindSendUpdate, async ({ sender }) => {
    const { reminded } = await wecom.remindSendRun({ runId, ...(sender ? { sender } : {}) });
    return reminded;
  }, { validator: (_request: { sender?: string }) => {
    if (finished || progress.cancelled) throw new Error('the send has ended');
  } });

  const maybeContinue = async () => {
    activities += 1;
    if (activities < (input.activitiesPerRun ?? ACTIVITIES_PER_RUN) && !workflowInfo().continueAsNewSuggested) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof sendRunWorkflow>({ ...input, paused: progress.paused, cancelled: progress.cancelled });
  };
  const cancel = async () => {
    await wecom.cancelSendRun({ runId });
    await track.trackSendRun({ runId, final: true });
    await database.setSendRunState({ runId, status: 'cancelled' });
    finished = true;
    progress.phase = 'done';
    await condition(allHandlersFinished);
    return { status: 'cancelled' };
  };

  if (progress.cancelled || tooLate()) return cancel();
  let prepared;
  try {
    prepared = await prepare.prepareSendRun({ runId });
  } catch (error) {
    await database.setSendRunState({ runId, status: 'failed', failureReason: 'preparation failed' });
    throw error;
  }
  if (prepared.status === 'sending') {
    if (prepared.deferMs > 0) {
      progress.phase = 'deferred';
      await condition(() => progress.cancelled, untilDeadline(prepared.deferMs));
      if (tooLate()) return cancel();
    }
    progress.phase = 'sending';
    for (;;) {
      const ids = await database.nextSendBatches({ runId, limit: BATCH_PAGE });
      if (ids.length === 0) break;
      for (const batchId of ids) {
        await condition(() => !progress.paused || progress.cancelled);
        if (progress.cancelled || tooLate()) return cancel();
        try {
          await submit.submitSendBatch({ batchId });
        } catch (error) {
          await database.setSendRunState({ runId, status: 'failed', failureReason: 'a batch could not be submitted' });
          throw error;
        }
        progress.batchesSubmitted += 1;
        await maybeContinue();
      }
    }
    if (progress.cancelled) return cancel();
    await database.setSendRunState({ runId, status: 'tracking' });
  } else if (prepared.status !== 'tracking') {
    throw ApplicationFailure.nonRetryable(`send run ${runId} is ${prepared.status}`, 'send_run_not_startable');
  }

  progress.phase = 'tracking';
  const trackEvery = input.trackEveryMs ?? 5 * 60_000;
  const remindAfter = input.remindAfterMs ?? 2 * 3600_000;
  const windowMs = input.windowMs ?? 3 * 24 * 3600_000;
  let windowClosed = false;
  for (;;) {
    // Window and reminder timing come from the database rows, so they survive continue-as-new.
    const state = await track.trackSendRun({ runId, remindAfterMs: remindAfter });
    await maybeContinue();
    if (state.open === 0) break;
    if (state.sinceSubmittedMs >= windowMs) {
      windowClosed = true;
      break;
    }
    if (state.remindDue > 0) {
      await wecom.remindSendRun({ runId, remindAfterMs: remindAfter });
      await maybeContinue();
    }
    await condition(() => progress.cancelled, untilDeadline(trackEvery));
    if (progress.cancelled || tooLate()) return cancel();
  }
  // What staff have not confirmed by now is withdrawn, so "not confirmed" stays true.
  if (windowClosed && patched('send-window-withdraws-unconfirmed')) await wecom.withdrawUnconfirmedTasks({ runId });
  await track.trackSendRun({ runId, final: true });
  await database.setSendRunState({ runId, status: 'completed' });
  finished = true;
  progress.phase = 'done';
  await condition(allHandlersFinished);
  return { status: 'completed' };
}
