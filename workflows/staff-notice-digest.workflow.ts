import { ActivityFailure, continueAsNew, defineSignal, log, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const notify = proxyActivities<Activities>(activityPresets.notification);

/** A notice was queued for this member with no digest due to carry it. */
export const noticesQueuedSignal = defineSignal('noticesQueued');

/** A digest waits this long after being woken, so one message carries what a burst queues meanwhile. */
const GATHER = '10 seconds';
/** Rounds before the run continues as new, which keeps its history short through a long launch day. */
const ROUNDS_PER_RUN = 100;

/** What one run of a member's digest did. */
export interface DigestTotals { digests: number; notices: number; failed: number }

/**
 * One staff member's notices past WeCom's pace (30 app messages a minute; the rest dropped
 * unseen), carried in digests: woken by the first queued notice, it gathers for a few seconds,
 * sends one digest of everything queued (activities/staff-notice.ts) and goes round again while
 * more arrive or WeCom's pace makes it wait; it ends when nothing waits. One per member (its id);
 * a notice queued while it runs signals it instead of starting another.
 */
export async function staffNoticeDigestWorkflow(input: { staffUserid: string }): Promise<DigestTotals> {
  let woken = true;
  setHandler(noticesQueuedSignal, () => { woken = true; });
  const totals: DigestTotals = { digests: 0, notices: 0, failed: 0 };
  for (let round = 0; round < ROUNDS_PER_RUN && woken; round += 1) {
    woken = false;
    await sleep(GATHER);
    try {
      const digest = await notify.sendNoticeDigest({ staffUserid: input.staffUserid });
      if (digest.carried > 0) totals.digests += 1;
      totals.notices += digest.carried;
      totals.failed += digest.failed;
      if (digest.more) {
        woken = true;
        if (digest.waitMs > 0) await sleep(digest.waitMs);
      }
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      // WeCom unreachable for the notification preset's three hours: the notices stay queued; try again later.
      log.warn('notice digest not sent; retrying later', { reason: error.cause?.message ?? error.message });
      woken = true;
      await sleep('5 minutes');
    }
  }
  if (woken) return continueAsNew<typeof staffNoticeDigestWorkflow>(input);
  return totals;
}
