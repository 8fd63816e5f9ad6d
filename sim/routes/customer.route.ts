import type { Hono } from 'hono';
import { z } from 'zod';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { decodeCursor, encodeCursor, firstAfter, pageLimit } from '../paging.ts';
import { getFollow } from '../state.ts';
import type { Follow } from '../state.ts';
import { checkExternalUserId, checkStaff, externalContactView, followInfoView, followUserView } from '../views.ts';
import { maxChars, parseBody, wecomRoute } from '../wecom-route.ts';

const batchBody = z.object({
  userid_list: z.array(z.string()).optional(),
  userid: z.string().optional(),
  cursor: z.string().optional(),
  limit: z.number().int().optional(),
});
const remarkBody = z.object({
  userid: z.string().min(1),
  external_userid: z.string().min(1),
  remark: maxChars(20).optional(),
  description: maxChars(150).optional(),
  remark_company: maxChars(20).optional(),
  remark_mobiles: z.array(z.string()).max(5).optional(),
  remark_pic_mediaid: z.string().optional(),
});

type BatchCursor = { u: number; s: number };
const isBatchCursor = (v: unknown): v is BatchCursor =>
  typeof v === 'object' && v !== null && typeof (v as BatchCursor).u === 'number' && typeof (v as BatchCursor).s === 'number';

/** Customers: externalcontact/get, list, batch/get_by_user, get_follow_user_list, remark. */
export function registerCustomerRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'GET', 'externalcontact/get', ({ query }) => {
    const id = checkExternalUserId(query.external_userid);
    const customer = ctx.state.customers.get(id);
    const follows = ctx.state.followsByCustomer.get(id);
    if (!customer || !follows || follows.size === 0) throw wecomError('noRelationship');
    return {
      external_contact: externalContactView(customer),
      follow_user: [...follows.values()].map((f) => followUserView(ctx, f)),
      next_cursor: '',
    };
  });

  wecomRoute(app, ctx, 'GET', 'externalcontact/list', ({ query }) => {
    const userid = checkStaff(ctx, query.userid);
    const ids = (ctx.state.followsByStaff.get(userid) ?? []).filter((f) => !f.deleted).map((f) => f.external_userid);
    // WeCom answers 84061 for a member without any customer.
    if (ids.length === 0) throw wecomError('noRelationship');
    return { external_userid: ids };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/batch/get_by_user', ({ body }) => {
    const b = parseBody(batchBody, body);
    const users = b.userid_list ?? (b.userid ? [b.userid] : []);
    if (users.length === 0) throw wecomError('invalidParam', 'userid_list required');
    if (users.length > 100) throw wecomError('invalidParam', 'userid_list exceeds 100');
    const limit = pageLimit(b.limit, 100, 50);
    const pos = decodeCursor(b.cursor, isBatchCursor) ?? { u: 0, s: 0 };
    const out: Follow[] = [];
    let u = pos.u;
    let i = 0;
    let list: Follow[] = [];
    // Walk users in the given order; within one user, relationships in add order (seq), skipping ended ones.
    for (; u < users.length && out.length < limit; u++) {
      list = ctx.state.followsByStaff.get(users[u]!) ?? [];
      i = u === pos.u ? firstAfter(list, (f) => f.seq, pos.s) : 0;
      for (; i < list.length && out.length < limit; i++) if (!list[i]!.deleted) out.push(list[i]!);
      if (out.length >= limit) break;
    }
    const hasMore = (() => {
      for (let uu = u, ii = i; uu < users.length; uu++, ii = 0) {
        const l = uu === u ? list : (ctx.state.followsByStaff.get(users[uu]!) ?? []);
        for (; ii < l.length; ii++) if (!l[ii]!.deleted) return true;
      }
      return false;
    })();
    const last = out[out.length - 1];
    return {
      external_contact_list: out.map((f) => ({
        external_contact: externalContactView(ctx.state.customers.get(f.external_userid)!),
        follow_info: followInfoView(f),
      })),
      next_cursor: hasMore && last ? encodeCursor({ u: Math.min(u, users.length - 1), s: last.seq }) : '',
    };
  });

  wecomRoute(app, ctx, 'GET', 'externalcontact/get_follow_user_list', () => ({
    follow_user: [...ctx.state.staff.values()].filter((s) => s.customerContact).map((s) => s.userid),
  }));

  wecomRoute(app, ctx, 'POST', 'externalcontact/remark', ({ body }) => {
    const b = parseBody(remarkBody, body);
    checkStaff(ctx, b.userid);
    checkExternalUserId(b.external_userid);
    const f = getFollow(ctx.state, b.userid, b.external_userid);
    if (!f) throw wecomError('noRelationship');
    if (b.remark !== undefined) f.remark = b.remark;
    if (b.description !== undefined) f.description = b.description;
    if (b.remark_company !== undefined) f.remark_corp_name = b.remark_company;
    if (b.remark_mobiles !== undefined) f.remark_mobiles = b.remark_mobiles;
    ctx.touch();
    return {};
  });
}
