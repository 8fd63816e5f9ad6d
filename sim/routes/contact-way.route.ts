import type { Hono } from 'hono';
import { z } from 'zod';
import { nowSec } from '../context.ts';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { configId } from '../ids.ts';
import { decodeCursor, encodeCursor, pageLimit } from '../paging.ts';
import { getFollow } from '../state.ts';
import type { ContactWay } from '../state.ts';
import { maxChars, parseBody, wecomRoute } from '../wecom-route.ts';

const DAY = 86400;
const MAX_TEMP_SECONDS = 14 * DAY;

const common = {
  style: z.number().int().optional(),
  remark: maxChars(30).optional(),
  skip_verify: z.boolean().optional(),
  state: maxChars(30).optional(),
  user: z.array(z.string()).optional(),
  party: z.array(z.number().int()).optional(),
  expires_in: z.number().int().positive().max(MAX_TEMP_SECONDS).optional(),
  chat_expires_in: z.number().int().positive().max(MAX_TEMP_SECONDS).optional(),
  unionid: z.string().optional(),
  conclusions: z.record(z.string(), z.unknown()).optional(),
};
const addBody = z.object({
  type: z.number().int().optional(),
  scene: z.union([z.literal(1), z.literal(2)]),
  is_temp: z.boolean().optional(),
  is_exclusive: z.boolean().optional(),
  ...common,
});
const updateBody = z.object({ config_id: z.string().min(1), ...common });
const configBody = z.object({ config_id: z.string().min(1) });
const listBody = z.object({
  start_time: z.number().int().optional(),
  end_time: z.number().int().optional(),
  cursor: z.string().optional(),
  limit: z.number().int().optional(),
});
const closeBody = z.object({ userid: z.string().min(1), external_userid: z.string().min(1) });

/** The QR image URL of a contact way on this simulator. */
export function qrUrl(base: string, id: string): string {
  return `${base}/sim/qr/${id}.png`;
}

/** Checks the members and departments of a code the way WeCom does. */
function checkMembers(ctx: SimContext, type: 1 | 2, user: string[], party: number[]): void {
  if (type === 1 && (user.length !== 1 || party.length > 0)) throw wecomError('invalidParam', 'type 1 needs exactly one user');
  if (user.length + party.length === 0) throw wecomError('invalidParam', 'user or party required');
  if (user.length > 100) throw wecomError('tooManyUsers');
  for (const u of user) {
    const s = ctx.state.staff.get(u);
    if (!s) throw wecomError('userNotFound', u);
    if (!s.customerContact) throw wecomError('noPermission', `${u} has no customer-contact permission`);
  }
  for (const p of party) if (!ctx.state.departments.some((d) => d.id === p)) throw wecomError('invalidParam', `invalid party ${p}`);
}

function findWay(ctx: SimContext, id: string): ContactWay {
  const way = ctx.state.contactWays.get(id);
  if (!way) throw wecomError('invalidParam', 'invalid config_id');
  return way;
}

/** The public view of a contact way, as get_contact_way returns it. */
export function contactWayView(way: ContactWay, base: string): Record<string, unknown> {
  return {
    config_id: way.config_id,
    type: way.type,
    scene: way.scene,
    style: way.style,
    remark: way.remark,
    skip_verify: way.skip_verify,
    state: way.state,
    ...(way.scene === 2 ? { qr_code: qrUrl(base, way.config_id) } : {}),
    user: way.user,
    party: way.party,
    is_temp: way.is_temp,
    ...(way.is_temp ? { expires_in: way.expires_in, chat_expires_in: way.chat_expires_in, unionid: way.unionid, conclusions: way.conclusions } : {}),
    is_exclusive: way.is_exclusive,
  };
}

/** Base URL for links the simulator hands out: the configured public URL or the request's origin. */
export function baseUrl(ctx: SimContext, requestUrl: string): string {
  return (ctx.options.publicUrl ?? new URL(requestUrl).origin).replace(/\/$/, '');
}

/** 「联系我」: add/get/update/del/list_contact_way and close_temp_chat. */
export function registerContactWayRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'POST', 'externalcontact/add_contact_way', ({ body, c }) => {
    if (typeof body === 'object' && body !== null && !('type' in body)) throw wecomError('missingContactWayType');
    const b = parseBody(addBody, body);
    if (b.type !== 1 && b.type !== 2) throw wecomError('invalidParam', 'type must be 1 or 2');
    const user = b.user ?? [];
    const party = b.party ?? [];
    checkMembers(ctx, b.type, user, party);
    const isTemp = b.is_temp ?? false;
    if (isTemp && b.type !== 1) throw wecomError('invalidParam', 'is_temp supports single-person codes only');
    const way: ContactWay = {
      config_id: configId(),
      type: b.type,
      scene: b.scene,
      style: b.style ?? 1,
      remark: b.remark ?? '',
      skip_verify: b.skip_verify ?? true,
      state: b.state ?? '',
      user,
      party,
      is_temp: isTemp,
      // Temp-session fields only mean something for temp codes; WeCom's defaults are 7 d and 24 h.
      expires_in: isTemp ? (b.expires_in ?? 7 * DAY) : 0,
      chat_expires_in: isTemp ? (b.chat_expires_in ?? DAY) : 0,
      unionid: isTemp ? (b.unionid ?? '') : '',
      is_exclusive: b.is_exclusive ?? false,
      conclusions: isTemp ? (b.conclusions ?? {}) : {},
      create_time: nowSec(ctx),
      used: false,
      next_user: 0,
    };
    ctx.state.contactWays.set(way.config_id, way);
    ctx.touch();
    return { config_id: way.config_id, ...(way.scene === 2 ? { qr_code: qrUrl(baseUrl(ctx, c.req.url), way.config_id) } : {}) };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/get_contact_way', ({ body, c }) => {
    const way = findWay(ctx, parseBody(configBody, body).config_id);
    return { contact_way: contactWayView(way, baseUrl(ctx, c.req.url)) };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/update_contact_way', ({ body }) => {
    const b = parseBody(updateBody, body);
    const way = findWay(ctx, b.config_id);
    // user and party lists overwrite the old ones when given.
    const user = b.user ?? way.user;
    const party = b.party ?? way.party;
    if (b.user || b.party) checkMembers(ctx, way.type, user, party);
    way.user = user;
    way.party = party;
    if (b.style !== undefined) way.style = b.style;
    if (b.remark !== undefined) way.remark = b.remark;
    if (b.skip_verify !== undefined) way.skip_verify = b.skip_verify;
    if (b.state !== undefined) way.state = b.state;
    if (way.is_temp) {
      if (b.expires_in !== undefined) way.expires_in = b.expires_in;
      if (b.chat_expires_in !== undefined) way.chat_expires_in = b.chat_expires_in;
      if (b.unionid !== undefined) way.unionid = b.unionid;
      if (b.conclusions !== undefined) way.conclusions = b.conclusions;
    }
    ctx.touch();
    return {};
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/del_contact_way', ({ body }) => {
    const way = findWay(ctx, parseBody(configBody, body).config_id);
    ctx.state.contactWays.delete(way.config_id);
    ctx.touch();
    return {};
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/list_contact_way', ({ body }) => {
    const b = parseBody(listBody, body);
    const now = nowSec(ctx);
    // Default window: the last 90 days. Temp codes are never listed.
    const start = b.start_time ?? now - 90 * DAY;
    const end = b.end_time ?? now;
    if (end < start) throw wecomError('invalidParam', 'end_time before start_time');
    const limit = pageLimit(b.limit, 1000, 100);
    const after = decodeCursor(b.cursor, (v): v is [number, string] => Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string');
    const key = (w: ContactWay): [number, string] => [w.create_time, w.config_id];
    const gt = (a: [number, string], b2: [number, string]) => a[0] > b2[0] || (a[0] === b2[0] && a[1] > b2[1]);
    const rows = [...ctx.state.contactWays.values()]
      .filter((w) => !w.is_temp && w.create_time >= start && w.create_time <= end && (!after || gt(key(w), after)))
      .sort((x, y) => x.create_time - y.create_time || (x.config_id < y.config_id ? -1 : 1));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { contact_way: page.map((w) => ({ config_id: w.config_id })), next_cursor: rows.length > limit && last ? encodeCursor(key(last)) : '' };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/close_temp_chat', ({ body }) => {
    const b = parseBody(closeBody, body);
    if (!ctx.state.staff.has(b.userid)) throw wecomError('userNotFound');
    if (!getFollow(ctx.state, b.userid, b.external_userid)) throw wecomError('noRelationship');
    return {};
  });
}
