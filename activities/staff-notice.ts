import { log } from '@temporalio/activity';
import { WeworkConfig } from '../db/entities/index.ts';
import { claimSendRow, settleSendRow } from '../db/messages.store.ts';
import { NOTICE_PACE, noticesWaiting, paceNotice, settleDigest, takeDigest } from '../db/staff-notices.store.ts';
import type { ActivityDeps } from './deps.ts';
import { callWeCom } from './wecom-calls.ts';
import { asActivityFailure } from './wecom-failure.ts';

/** How a staff notice went: sent alone, sent by an earlier attempt, or queued for the member's next digest. */
export type StaffNoticeOutcome = 'sent' | 'previously_sent' | 'in_digest';

/** Sends one app message to one member, with WeCom's duplicate check (a resend after a lost answer is dropped). */
async function sendAppText(deps: ActivityDeps, userId: string, text: string): Promise<void> {
  const config = await deps.orm.em.fork().findOneOrFail(WeworkConfig, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
  await callWeCom(deps, (api) => api.messages.sendToStaff({
    touser: [userId], agentid: Number(config.agentId), msgtype: 'text', content: text, enable_duplicate_check: true, duplicate_check_interval: 1_800,
  }));
}

/**
 * Tells a staff member something through an app message (message/send reaches staff only),
 * idempotent by `sendKey`: a pending wework_messages row is written first and turns 'sent'.
 * Paced to WeCom's per-member limit (db/staff-notices.store.ts): past it the notice is queued and
 * the member's digest workflow carries it, instead of WeCom dropping it unseen.
 */
export async function sendStaffNotice(deps: ActivityDeps, input: { sendKey: string; userId: string; externalUserId: string | null; text: string }): Promise<StaffNoticeOutcome> {
  const connection = deps.orm.em.fork().getConnection();
  // The pending row is written before the call, and WeCom's own duplicate check covers a retry
  // whose first attempt reached WeCom but died before the row turned 'sent'.
  const row = await claimSendRow(connection, { sendKey: input.sendKey, kind: 'staff_notification', externalUserid: input.externalUserId, staffUserid: input.userId, text: input.text });
  if (row.status === 'sent') return 'previously_sent';
  const pace = await paceNotice(connection, { id: row.id, staffUserid: input.userId });
  if (pace.kind === 'done') return 'previously_sent';
  if (pace.kind === 'queued') {
    if (pace.wake) await wakeDigest(deps, input.userId);
    return 'in_digest';
  }
  await sendAppText(deps, input.userId, input.text);
  await settleSendRow(connection, row.id, { status: 'sent', text: input.text });
  return 'sent';
}

/** Wakes (or starts) the member's digest workflow; without a Temporal client the queue waits for the next notice that can. */
async function wakeDigest(deps: ActivityDeps, staffUserid: string): Promise<void> {
  if (!deps.wakeNoticeDigest) {
    log.warn('staff notice queued without a digest to carry it (no Temporal client in this process)');
    return;
  }
  await deps.wakeNoticeDigest(staffUserid);
}

/** A digest's text: as many of the queued notices as fit in one app message, and how many more there are. */
export function composeDigest(texts: string[]): string {
  const header = `【通知汇总 ${texts.length} 条】企业微信每分钟最多向您推送 30 条应用消息，超出的通知合并如下：`;
  const lines: string[] = [];
  let bytes = Buffer.byteLength(header);
  for (const [index, text] of texts.entries()) {
    const line = `${index + 1}. ${text}`;
    const rest = `……另有 ${texts.length - index} 条，请在后台「客户」页查看。`;
    const after = bytes + Buffer.byteLength(line) + 1;
    // Keep room for the closing line unless this is the last notice.
    if (after + (index === texts.length - 1 ? 0 : Buffer.byteLength(rest) + 1) > NOTICE_PACE.digestBytes) {
      lines.push(rest);
      break;
    }
    lines.push(line);
    bytes = after;
  }
  return [header, ...lines].join('\n');
}

/** What one digest round did: notices carried, and whether to come back (and when). */
export interface DigestRound { carried: number; failed: number; more: boolean; waitMs: number }

/** The digest activities (the member's digest workflow runs them). */
export function createStaffNoticeActivities(deps: ActivityDeps) {
  return {
    /**
     * Sends one staff member one digest of the notices queued for them, when WeCom's pace has room
     * (else says how long to wait). Idempotent: the digest's row and the notices it carries are
     * written before the call; a retry resends that same text, which WeCom's duplicate check drops.
     */
    async sendNoticeDigest(input: { staffUserid: string }): Promise<DigestRound> {
      const em = deps.orm.em.fork();
      const connection = em.getConnection();
      const digest = await takeDigest(em, { staffUserid: input.staffUserid, compose: composeDigest });
      if (digest === null) return { carried: 0, failed: 0, more: false, waitMs: 0 };
      if ('waitMs' in digest) return { carried: 0, failed: 0, more: true, waitMs: digest.waitMs };
      try {
        await sendAppText(deps, input.staffUserid, digest.text);
      } catch (error) {
        const failure = asActivityFailure(error);
        if (!failure.nonRetryable) throw failure;
        // WeCom refuses the member for good (left the company, no permission): the notices' outcome.
        await settleDigest(connection, { id: digest.id, outcome: 'failed', errorMsg: failure.message });
        return { carried: 0, failed: digest.carried, more: await noticesWaiting(connection, input.staffUserid), waitMs: 0 };
      }
      await settleDigest(connection, { id: digest.id, outcome: 'sent' });
      return { carried: digest.carried, failed: 0, more: await noticesWaiting(connection, input.staffUserid), waitMs: 0 };
    },
  };
}
