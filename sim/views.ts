import type { SimContext } from './context.ts';
import { wecomError } from './errors.ts';
import type { Customer, Follow } from './state.ts';

/** external_userids look like `wm…`/`wo…`; anything else is 40096 before any lookup. */
export function checkExternalUserId(id: string | undefined): string {
  if (!id || !/^w[a-zA-Z][\w-]{4,}$/.test(id)) throw wecomError('invalidExternalUserId');
  return id;
}

/** A staff userid that must exist (60111 otherwise). */
export function checkStaff(ctx: SimContext, userid: string | undefined): string {
  if (!userid || !ctx.state.staff.has(userid)) throw wecomError('userNotFound', userid ?? '');
  return userid;
}

/** external_contact as WeCom returns it (no birthday or mobile: WeCom never exposes them). */
export function externalContactView(c: Customer): Record<string, unknown> {
  return { external_userid: c.external_userid, name: c.name, avatar: c.avatar, type: c.type, gender: c.gender, unionid: c.unionid };
}

function followCommon(f: Follow): Record<string, unknown> {
  return {
    userid: f.userid,
    remark: f.remark,
    description: f.description,
    createtime: f.createtime,
    remark_corp_name: f.remark_corp_name,
    remark_mobiles: f.remark_mobiles,
    oper_userid: f.oper_userid,
    add_way: f.add_way,
    // WeCom only includes state when the customer came through a code that had one.
    ...(f.state ? { state: f.state } : {}),
  };
}

/** follow_user entry of externalcontact/get: tags spelled out with their group names. */
export function followUserView(ctx: SimContext, f: Follow): Record<string, unknown> {
  const tags = f.tag_ids.flatMap((id) => {
    const tag = ctx.state.tags.get(id);
    const group = tag ? ctx.state.tagGroups.get(tag.group_id) : undefined;
    return tag && group ? [{ group_name: group.group_name, tag_name: tag.name, type: 1, tag_id: tag.id }] : [];
  });
  return { ...followCommon(f), tags };
}

/** follow_info entry of batch/get_by_user: tag ids only. */
export function followInfoView(f: Follow): Record<string, unknown> {
  return { ...followCommon(f), tag_id: f.tag_ids };
}
