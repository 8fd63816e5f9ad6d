import type { Hono } from 'hono';
import { z } from 'zod';
import { nowSec } from '../context.ts';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { createGroupMsg } from '../group-messages.ts';
import { decodeCursor, encodeCursor, pageLimit } from '../paging.ts';
import type { GroupMsg } from '../state.ts';
import { checkStaff } from '../views.ts';
import { parseBody, wecomRoute } from '../wecom-route.ts';

const DAY = 86400;
const addBody = z.object({
  chat_type: z.enum(['single', 'group']).optional(),
  external_userid: z.array(z.string()).optional(),
  sender: z.string().optional(),
  text: z.object({ content: z.string().refine((s) => Buffer.byteLength(s) <= 4000, { message: 'text exceeds 4000 bytes' }) }).optional(),
  attachments: z.array(z.record(z.string(), z.unknown())).max(9).optional(),
  allow_select: z.boolean().optional(),
});
const miniprogramAttachment = z.object({
  msgtype: z.literal('miniprogram'),
  miniprogram: z.object({ title: z.string().min(1).max(64), pic_media_id: z.string().min(1), appid: z.string().min(1), page: z.string().min(1) }),
});
const imageAttachment = z.object({
  msgtype: z.literal('image'),
  image: z.object({ media_id: z.string().min(1).optional(), pic_url: z.string().min(1).optional() }).refine((i) => i.media_id !== undefined || i.pic_url !== undefined),
});
const listBody = z.object({
  chat_type: z.enum(['single', 'group']),
  start_time: z.number().int(),
  end_time: z.number().int(),
  creator: z.string().optional(),
  filter_type: z.number().int().optional(),
  limit: z.number().int().optional(),
  cursor: z.string().optional(),
});
const msgBody = z.object({ msgid: z.string().min(1), limit: z.number().int().optional(), cursor: z.string().optional() });
const resultBody = msgBody.extend({ userid: z.string().min(1) });
const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function findMsg(ctx: SimContext, msgid: string): GroupMsg {
  const msg = ctx.state.groupMsgs.get(msgid);
  if (!msg) throw wecomError('invalidParam', 'invalid msgid');
  return msg;
}

function page<T>(rows: T[], cursor: string | undefined, limit: number): { items: T[]; next_cursor: string } {
  const offset = decodeCursor(cursor, isOffset) ?? 0;
  return { items: rows.slice(offset, offset + limit), next_cursor: offset + limit < rows.length ? encodeCursor(offset + limit) : '' };
}

/** 40007 unless media/upload issued `mediaId` in the last 3 days (temporary media). */
function checkMediaId(ctx: SimContext, mediaId: string): void {
  const createdAt = ctx.state.media.get(mediaId);
  if (createdAt === undefined || nowSec(ctx) - createdAt > 3 * DAY) throw wecomError('invalidMediaId');
}

/** A mini-program card needs title, appid, page and a live pic_media_id; an image's media_id (when it has one, not pic_url) must be live too. */
function checkAttachment(ctx: SimContext, attachment: Record<string, unknown>): void {
  if (attachment.msgtype === 'image') {
    const parsed = imageAttachment.safeParse(attachment);
    if (!parsed.success) throw wecomError('invalidParam', 'image needs media_id or pic_url');
    if (parsed.data.image.media_id !== undefined) checkMediaId(ctx, parsed.data.image.media_id);
    return;
  }
  if (attachment.msgtype !== 'miniprogram') return;
  const parsed = miniprogramAttachment.safeParse(attachment);
  if (!parsed.success) throw wecomError('invalidParam', 'miniprogram needs title, pic_media_id, appid and page');
  checkMediaId(ctx, parsed.data.miniprogram.pic_media_id);
}

/** 企业群发: add_msg_template, get_groupmsg_list_v2/task/send_result, remind and cancel. */
export function registerGroupMessageRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'POST', 'externalcontact/add_msg_template', ({ body }) => {
    const b = parseBody(addBody, body);
    if ((b.chat_type ?? 'single') !== 'single') throw wecomError('invalidParam', 'the simulator supports chat_type single only');
    if (b.sender !== undefined) checkStaff(ctx, b.sender);
    const ids = b.external_userid ?? [];
    if (ids.length > 10_000) throw wecomError('invalidParam', 'external_userid exceeds 10000');
    if (!b.text?.content && !b.attachments?.length) throw wecomError('invalidParam', 'text or attachments required');
    for (const a of b.attachments ?? []) checkAttachment(ctx, a);
    if (ids.length === 0) throw wecomError('noCustomerToSend');
    return createGroupMsg(ctx, { ...(b.sender ? { sender: b.sender } : {}), externalUserIds: ids, text: b.text ?? {}, attachments: b.attachments ?? [] });
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/get_groupmsg_list_v2', ({ body }) => {
    const b = parseBody(listBody, body);
    if (b.end_time < b.start_time || b.end_time - b.start_time > 31 * DAY) throw wecomError('invalidParam', 'time span must be within one month');
    const limit = pageLimit(b.limit, 100, 50);
    const filter = b.filter_type ?? 2; // 0 company-made, 1 member-made, 2 all
    const rows = [...ctx.state.groupMsgs.values()]
      .filter((m) => m.create_time >= b.start_time && m.create_time <= b.end_time)
      .filter((m) => (filter === 2 ? true : m.create_type === filter))
      // WeCom: "API接口创建的群发消息不返回该字段" — a task made through the API has no creator, so
      // a creator filter matches only tasks members made themselves.
      .filter((m) => !b.creator || (m.create_type === 1 && m.creator === b.creator))
      .sort((x, y) => y.create_time - x.create_time);
    const p = page(rows, b.cursor, limit);
    return {
      next_cursor: p.next_cursor,
      group_msg_list: p.items.map((m) => ({
        msgid: m.msgid, ...(m.create_type === 1 ? { creator: m.creator } : {}), create_time: m.create_time, create_type: m.create_type, text: m.text, attachments: m.attachments,
      })),
    };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/get_groupmsg_task', ({ body }) => {
    const b = parseBody(msgBody, body);
    const msg = findMsg(ctx, b.msgid);
    const p = page(msg.tasks, b.cursor, pageLimit(b.limit, 1000, 500));
    return { next_cursor: p.next_cursor, task_list: p.items.map((t) => ({ userid: t.userid, status: t.status, ...(t.status === 2 ? { send_time: t.send_time } : {}) })) };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/get_groupmsg_send_result', ({ body }) => {
    const b = parseBody(resultBody, body);
    const msg = findMsg(ctx, b.msgid);
    const task = msg.tasks.find((t) => t.userid === b.userid);
    const rows = task ? task.external_userids : [];
    const p = page(rows, b.cursor, pageLimit(b.limit, 1000, 500));
    return {
      next_cursor: p.next_cursor,
      send_list: p.items.map((id) => {
        const status = task!.results[id] ?? 0;
        return { external_userid: id, userid: b.userid, status, ...(status === 1 ? { send_time: task!.send_time } : {}) };
      }),
    };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/remind_groupmsg_send', ({ body }) => {
    const msg = findMsg(ctx, parseBody(msgBody, body).msgid);
    const now = nowSec(ctx);
    // At most 3 reminders per send within 24 hours.
    const recent = (msg.tasks[0]?.reminders ?? []).filter((at) => now - at < DAY).length;
    if (recent >= 3) throw wecomError('freqLimit', 'at most 3 reminders per 24 h');
    for (const t of msg.tasks) t.reminders.push(now);
    ctx.touch();
    return {};
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/cancel_groupmsg_send', ({ body }) => {
    const msg = findMsg(ctx, parseBody(msgBody, body).msgid);
    msg.canceled = true;
    ctx.touch();
    return {};
  });
}
