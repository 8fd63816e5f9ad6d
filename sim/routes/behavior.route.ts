import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { z } from 'zod';
import { nowSec } from '../context.ts';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { parseBody, wecomRoute } from '../wecom-route.ts';

const DAY = 86400;
const body = z.object({
  userid: z.array(z.string()).max(100).optional(),
  partyid: z.array(z.number().int()).max(100).optional(),
  start_time: z.number().int(),
  end_time: z.number().int(),
});

/** A stable pseudo-random integer in [0, max) for a (user set, day, metric). */
function figure(seed: string, max: number): number {
  return createHash('sha1').update(seed).digest().readUInt32BE(0) % max;
}

/**
 * get_user_behavior_data: one entry per day. new_contact_cnt is counted from real relationships;
 * the chat figures are stable pseudo-random numbers (the simulator has no chats).
 */
export function registerBehaviorRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'POST', 'externalcontact/get_user_behavior_data', ({ body: raw }) => {
    const b = parseBody(body, raw);
    const users = new Set(b.userid ?? []);
    for (const p of b.partyid ?? []) for (const s of ctx.state.staff.values()) if (s.department.includes(p)) users.add(s.userid);
    if (users.size === 0) throw wecomError('invalidParam', 'userid or partyid required');
    for (const u of users) if (!ctx.state.staff.has(u)) throw wecomError('userNotFound', u);
    const now = nowSec(ctx);
    if (b.end_time < b.start_time || b.end_time - b.start_time > 30 * DAY) throw wecomError('invalidParam', 'span must be within 30 days');
    if (b.start_time < now - 180 * DAY) throw wecomError('invalidParam', 'start_time must be within the last 180 days');
    // Days are aligned to midnight China time, as WeCom's stat_time is.
    const firstDay = Math.floor((b.start_time + 8 * 3600) / DAY) * DAY - 8 * 3600;
    // Every day the span touches is reported whole: the last day's figures run to its midnight.
    const endOfLastDay = firstDay + (Math.floor((b.end_time - firstDay) / DAY) + 1) * DAY;
    const counts = new Map<number, number>();
    for (const u of users)
      for (const f of ctx.state.followsByStaff.get(u) ?? []) {
        if (f.createtime < firstDay || f.createtime >= endOfLastDay) continue;
        const day = firstDay + Math.floor((f.createtime - firstDay) / DAY) * DAY;
        counts.set(day, (counts.get(day) ?? 0) + 1);
      }
    const key = [...users].sort().join(',');
    const behavior_data = [];
    for (let day = firstDay; day <= b.end_time; day += DAY) {
      const added = counts.get(day) ?? 0;
      const chats = figure(`${key}:${day}:chat`, 20) + added;
      behavior_data.push({
        stat_time: day,
        new_apply_cnt: added + figure(`${key}:${day}:apply`, 3),
        new_contact_cnt: added,
        chat_cnt: chats,
        message_cnt: chats * (2 + figure(`${key}:${day}:msg`, 6)),
        reply_percentage: chats ? 80 + figure(`${key}:${day}:reply`, 21) : 0,
        avg_reply_time: chats ? 1 + figure(`${key}:${day}:avg`, 30) : 0,
        negative_feedback_cnt: figure(`${key}:${day}:neg`, 10) === 0 ? 1 : 0,
      });
    }
    return { behavior_data };
  });
}
