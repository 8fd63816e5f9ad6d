import { nowSec, schedule } from './context.ts';
import type { SimContext } from './context.ts';
import { wecomError } from './errors.ts';
import { groupMsgId } from './ids.ts';
import { getFollow } from './state.ts';
import type { GroupMsg, GroupMsgTask } from './state.ts';

const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** WeCom counts the monthly cap in China time: the month key and its number of days at `ms`. */
export function chinaMonth(ms: number): { key: string; days: number } {
  const d = new Date(ms + CHINA_OFFSET_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { key: `${y}-${String(m + 1).padStart(2, '0')}`, days: new Date(Date.UTC(y, m + 1, 0)).getUTCDate() };
}

/**
 * Creates the per-sender tasks of an add_msg_template call. With a sender, only that member's
 * customers are eligible; without one, each customer goes to the first member following them.
 * Unknown or unreachable ids land in fail_list; nothing left → 41048.
 */
export function createGroupMsg(
  ctx: SimContext,
  req: { sender?: string; externalUserIds: string[]; text: unknown; attachments: unknown[] },
): { msgid: string; fail_list: string[] } {
  const failList: string[] = [];
  const bySender = new Map<string, string[]>();
  for (const id of new Set(req.externalUserIds)) {
    const follows = ctx.state.followsByCustomer.get(id);
    const owner = req.sender ? (follows?.has(req.sender) ? req.sender : undefined) : follows?.keys().next().value;
    if (!owner) {
      failList.push(id);
      continue;
    }
    let list = bySender.get(owner);
    if (!list) bySender.set(owner, (list = []));
    list.push(id);
  }
  if (bySender.size === 0) throw wecomError('noCustomerToSend');
  const msg: GroupMsg = {
    msgid: groupMsgId(),
    creator: req.sender ?? '',
    create_time: nowSec(ctx),
    create_type: 0,
    text: req.text,
    attachments: req.attachments,
    canceled: false,
    tasks: [...bySender].map(([userid, ids]): GroupMsgTask => ({
      userid,
      status: 0,
      send_time: 0,
      external_userids: ids,
      results: Object.fromEntries(ids.map((id) => [id, 0 as const])),
      reminders: [],
    })),
  };
  ctx.state.groupMsgs.set(msg.msgid, msg);
  ctx.touch();
  const delay = ctx.options.groupMsgConfirmDelayMs;
  if (delay !== null) for (const t of msg.tasks) schedule(ctx, delay, () => confirmTask(ctx, msg.msgid, t.userid));
  return { msgid: msg.msgid, fail_list: failList };
}

/**
 * The simulated staff member taps "send": each customer gets 1 (sent), 2 (no longer a friend)
 * or 3 (already received "days in this month" mass messages). No-op if canceled or already sent.
 */
export function confirmTask(ctx: SimContext, msgid: string, userid: string): boolean {
  const msg = ctx.state.groupMsgs.get(msgid);
  const task = msg?.tasks.find((t) => t.userid === userid);
  if (!msg || !task || msg.canceled || task.status === 2) return false;
  const nowMs = ctx.options.now();
  const month = chinaMonth(nowMs);
  for (const id of task.external_userids) {
    if (!getFollow(ctx.state, userid, id)) {
      task.results[id] = 2;
      continue;
    }
    const key = `${id}|${month.key}`;
    const received = ctx.state.monthlyReceived.get(key) ?? 0;
    if (received >= month.days) {
      task.results[id] = 3;
      continue;
    }
    ctx.state.monthlyReceived.set(key, received + 1);
    task.results[id] = 1;
  }
  task.status = 2;
  task.send_time = Math.floor(nowMs / 1000);
  ctx.touch();
  return true;
}
