import type { Hono } from 'hono';
import { z } from 'zod';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { alnum } from '../ids.ts';
import type { SentMessage } from '../state.ts';
import { parseBody, wecomRoute } from '../wecom-route.ts';

const attachments = z.array(z.record(z.string(), z.unknown())).max(9);
const welcomeBody = z.object({
  welcome_code: z.string(),
  text: z.object({ content: z.string().refine((s) => Buffer.byteLength(s) <= 4000, { message: 'text exceeds 4000 bytes' }) }).optional(),
  attachments: attachments.optional(),
});
const APP_MSG_TYPES = ['text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'markdown', 'miniprogram_notice', 'template_card'];
const sendBody = z.looseObject({
  touser: z.string().optional(),
  toparty: z.string().optional(),
  totag: z.string().optional(),
  msgtype: z.string().optional(),
  agentid: z.union([z.number(), z.string()]).optional(),
  enable_duplicate_check: z.union([z.number(), z.boolean()]).optional(),
  duplicate_check_interval: z.number().int().min(1).max(14_400).optional(),
});

/** WeCom's default duplicate_check_interval: half an hour. */
const DEFAULT_DUPLICATE_INTERVAL_S = 1_800;

/** What enable_duplicate_check compares: the recipients (in any order) and the content. */
const duplicateKey = (to: Iterable<string>, content: unknown) => JSON.stringify({ to: [...to].sort(), content });

/**
 * The latest app message per duplicate key, for each message list the state has had (a reset
 * replaces the list). Kept beside the list rather than in it, so saved state stays plain data;
 * caught up on each lookup, so it holds whatever was appended since. Without it every
 * message/send compared itself with every earlier message: a launch burst's thousands of staff
 * notices made the stand-in, not the product, the busiest process.
 */
const latestByKey = new WeakMap<SentMessage[], { indexed: number; latest: Map<string, SentMessage> }>();

/** The latest app message with this duplicate key, if any. */
function latestAppMessage(messages: SentMessage[], key: string): SentMessage | undefined {
  let index = latestByKey.get(messages);
  if (!index) latestByKey.set(messages, (index = { indexed: 0, latest: new Map() }));
  for (; index.indexed < messages.length; index.indexed += 1) {
    const m = messages[index.indexed]!;
    if (m.kind === 'app' && !m.dropped) index.latest.set(duplicateKey(m.to, m.body), m);
  }
  return index.latest.get(key);
}

/** WeCom's per-member limits on one app's messages (doc 90312): past them, messages are dropped silently. */
const APP_MESSAGE_LIMITS = [{ windowMs: 60_000, max: 30 }, { windowMs: 3_600_000, max: 1_000 }] as const;

/** Delivery times of app messages per member, for each message list (like latestByKey). */
const deliveredTo = new WeakMap<SentMessage[], { indexed: number; times: Map<string, number[]> }>();

/** True when `userid` already got as many app messages as WeCom lets one app send them at `now`. */
function overAppMessageLimit(messages: SentMessage[], userid: string, now: number): boolean {
  let index = deliveredTo.get(messages);
  if (!index) deliveredTo.set(messages, (index = { indexed: 0, times: new Map() }));
  for (; index.indexed < messages.length; index.indexed += 1) {
    const m = messages[index.indexed]!;
    if (m.kind !== 'app' || m.dropped) continue;
    for (const to of m.to) {
      const times = index.times.get(to) ?? [];
      times.push(m.at);
      index.times.set(to, times);
    }
  }
  const times = (index.times.get(userid) ?? []).filter((at) => at > now - 3_600_000);
  index.times.set(userid, times);
  return APP_MESSAGE_LIMITS.some(({ windowMs, max }) => times.filter((at) => at > now - windowMs).length >= max);
}

/** send_welcome_msg (customers, once, within the code's TTL) and message/send (staff only). */
export function registerMessageRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'POST', 'externalcontact/send_welcome_msg', ({ body }) => {
    const b = parseBody(welcomeBody, body);
    if (!b.text?.content && !b.attachments?.length) throw wecomError('invalidParam', 'text or attachments required');
    const code = ctx.state.welcomeCodes.get(b.welcome_code);
    const now = ctx.options.now();
    if (!code) throw wecomError('welcomeCodeInvalid');
    if (code.used) throw wecomError('welcomeCodeUsed');
    if (now - code.issuedAt > ctx.options.welcomeCodeTtlSeconds * 1000) throw wecomError('welcomeCodeInvalid', 'expired');
    code.used = true;
    ctx.state.messages.push({
      kind: 'welcome',
      at: now,
      msgid: alnum(24),
      to: [code.external_userid],
      from: code.userid,
      body: { text: b.text, attachments: b.attachments ?? [] },
    });
    ctx.touch();
    return {};
  });

  wecomRoute(app, ctx, 'POST', 'message/send', ({ body }) => {
    const b = parseBody(sendBody, body);
    if (String(b.agentid ?? '') !== ctx.options.agentId) throw wecomError('invalidAgentId');
    if (!b.msgtype || !APP_MSG_TYPES.includes(b.msgtype)) throw wecomError('invalidMsgType');
    const requested = (b.touser ?? '').split('|').filter(Boolean);
    if (requested.length > 1000) throw wecomError('invalidParam', 'touser exceeds 1000');
    const users = new Set<string>();
    const invalidUsers: string[] = [];
    for (const u of requested) {
      if (u === '@all') for (const s of ctx.state.staff.keys()) users.add(s);
      else if (ctx.state.staff.has(u)) users.add(u);
      // Customers' external_userids are not members: app messages never reach customers.
      else invalidUsers.push(u);
    }
    const invalidParties: string[] = [];
    for (const p of (b.toparty ?? '').split('|').filter(Boolean)) {
      const id = Number(p);
      if (!ctx.state.departments.some((d) => d.id === id)) invalidParties.push(p);
      else for (const s of ctx.state.staff.values()) if (s.department.includes(id)) users.add(s.userid);
    }
    // The simulator keeps no staff tags: every tag is invalid.
    const invalidTags = (b.totag ?? '').split('|').filter(Boolean);
    if (users.size === 0) throw wecomError('allInvalid');
    const { touser: _u, toparty: _p, totag: _t, agentid: _a, enable_duplicate_check: check, duplicate_check_interval: interval, ...content } = b;
    // enable_duplicate_check: the same message to the same recipients within the interval is not
    // delivered again; WeCom answers as if it had sent it.
    if (check === 1 || check === true) {
      const since = ctx.options.now() - (interval ?? DEFAULT_DUPLICATE_INTERVAL_S) * 1000;
      const earlier = latestAppMessage(ctx.state.messages, duplicateKey(users, content));
      if (earlier && earlier.at >= since) return { msgid: earlier.msgid };
    }
    const msgid = alnum(40);
    const now = ctx.options.now();
    // Past the per-member rate WeCom still answers ok; the member just never sees the message.
    const over = [...users].filter((u) => overAppMessageLimit(ctx.state.messages, u, now));
    const reached = [...users].filter((u) => !over.includes(u));
    const message = { kind: 'app' as const, at: now, msgid, from: `agent:${ctx.options.agentId}`, body: content };
    if (reached.length) ctx.state.messages.push({ ...message, to: reached });
    if (over.length) ctx.state.messages.push({ ...message, to: over, dropped: true });
    ctx.touch();
    return {
      ...(invalidUsers.length ? { invaliduser: invalidUsers.join('|') } : {}),
      ...(invalidParties.length ? { invalidparty: invalidParties.join('|') } : {}),
      ...(invalidTags.length ? { invalidtag: invalidTags.join('|') } : {}),
      msgid,
    };
  });
}
