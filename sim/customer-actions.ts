import { emitEvent, externalContactEventXml } from './callbacks.ts';
import { ControlError, nowSec } from './context.ts';
import type { SimContext } from './context.ts';
import { alnum, externalUserId } from './ids.ts';
import { addFollow, getFollow, removeFollow } from './state.ts';
import type { Customer, Delivery, Follow } from './state.ts';

/** Result of a customer action: what changed and the callback it produced. */
export type ActionResult = { customer: Customer; follow: Follow | undefined; welcome_code?: string; delivery: Delivery; done: Promise<Delivery> };

/** Details of a (new) customer; anything omitted is made up. */
export type CustomerInput = { external_userid?: string; name?: string; gender?: 0 | 1 | 2; birthday?: string; mobile?: string; unionid?: string };

const NAMES = ['林小雨', '陈思琪', '王雅婷', '刘梦瑶', '赵欣怡', '黄子涵', '周雪', '吴佳琪', '孙悦', '杨晓彤'];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** Finds or creates the customer (new customers get a fresh external_userid and a birthday). */
export function upsertCustomer(ctx: SimContext, input: CustomerInput): Customer {
  const existing = input.external_userid ? ctx.state.customers.get(input.external_userid) : undefined;
  if (existing) return existing;
  const customer: Customer = {
    external_userid: input.external_userid ?? externalUserId(),
    name: input.name ?? pick(NAMES),
    avatar: 'https://wx.qlogo.cn/mmhead/sim_new/0',
    type: 1,
    gender: input.gender ?? 2,
    unionid: input.unionid ?? `o${alnum(27)}`,
    birthday: input.birthday ?? `199${Math.floor(Math.random() * 10)}-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(Math.random() * 28)).padStart(2, '0')}`,
    mobile: input.mobile ?? `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
  };
  ctx.state.customers.set(customer.external_userid, customer);
  return customer;
}

/**
 * The customer adds a staff member (by scanning a code, or another add_way): creates the
 * relationship, a welcome_code valid for the configured TTL, and an add_external_contact callback.
 */
export function customerAddsStaff(
  ctx: SimContext,
  req: CustomerInput & { userid: string; add_way: number; state?: string; withWelcomeCode?: boolean },
): ActionResult {
  if (!ctx.state.staff.has(req.userid)) throw new ControlError(404, `no staff member ${req.userid}`);
  const customer = upsertCustomer(ctx, req);
  if (getFollow(ctx.state, req.userid, customer.external_userid)) {
    throw new ControlError(409, `${customer.external_userid} already follows ${req.userid}: WeCom sends no second add event`);
  }
  const follow = addFollow(ctx.state, {
    userid: req.userid,
    external_userid: customer.external_userid,
    remark: '',
    description: '',
    createtime: nowSec(ctx),
    tag_ids: [],
    remark_corp_name: '',
    remark_mobiles: [],
    add_way: req.add_way,
    state: req.state ?? '',
    oper_userid: customer.external_userid, // the customer initiated the add
  });
  let welcomeCode: string | undefined;
  if (req.withWelcomeCode !== false) {
    welcomeCode = alnum(43);
    ctx.state.welcomeCodes.set(welcomeCode, { code: welcomeCode, userid: req.userid, external_userid: customer.external_userid, issuedAt: ctx.options.now(), used: false });
  }
  const xml = externalContactEventXml(ctx, {
    changeType: 'add_external_contact',
    userid: req.userid,
    externalUserid: customer.external_userid,
    ...(follow.state ? { state: follow.state } : {}),
    ...(welcomeCode ? { welcomeCode } : {}),
  });
  const { delivery, done } = emitEvent(ctx, { event: 'change_external_contact', changeType: 'add_external_contact', xml });
  return { customer, follow, ...(welcomeCode ? { welcome_code: welcomeCode } : {}), delivery, done };
}

/** The customer scans contact way `configId`: picks the member (round robin for multi-person codes) and adds them. */
export function scanContactWay(ctx: SimContext, req: CustomerInput & { config_id: string; userid?: string; withWelcomeCode?: boolean }): ActionResult {
  const way = ctx.state.contactWays.get(req.config_id);
  if (!way) throw new ControlError(404, `no contact way ${req.config_id}`);
  if (way.is_temp) {
    if (way.used) throw new ControlError(409, 'this temp-session QR code was already used');
    if (nowSec(ctx) > way.create_time + way.expires_in) throw new ControlError(409, 'this temp-session QR code has expired');
  }
  const members = [...way.user];
  for (const s of ctx.state.staff.values()) if (s.department.some((d) => way.party.includes(d)) && !members.includes(s.userid)) members.push(s.userid);
  let userid = req.userid;
  if (userid && !members.includes(userid)) throw new ControlError(400, `${userid} is not a member of this contact way`);
  if (!userid) {
    userid = members[way.next_user % members.length];
    way.next_user++;
  }
  if (!userid) throw new ControlError(409, 'contact way has no members');
  const result = customerAddsStaff(ctx, { ...req, userid, add_way: 1, state: way.state });
  if (way.is_temp) way.used = true;
  return result;
}

/** The customer deletes the staff member (del_follow_user): the relationship ends. */
export function customerDeletesStaff(ctx: SimContext, req: { userid: string; external_userid: string }): ActionResult {
  return endRelationship(ctx, req, 'del_follow_user');
}

/** The staff member deletes the customer (del_external_contact), e.g. `source` DELETE_BY_TRANSFER. */
export function staffDeletesCustomer(ctx: SimContext, req: { userid: string; external_userid: string; source?: string }): ActionResult {
  return endRelationship(ctx, req, 'del_external_contact', req.source);
}

function endRelationship(ctx: SimContext, req: { userid: string; external_userid: string }, changeType: string, source?: string): ActionResult {
  const customer = ctx.state.customers.get(req.external_userid);
  const follow = removeFollow(ctx.state, req.userid, req.external_userid);
  if (!customer || !follow) throw new ControlError(404, `${req.external_userid} does not follow ${req.userid}`);
  const xml = externalContactEventXml(ctx, { changeType, userid: req.userid, externalUserid: req.external_userid, ...(source ? { source } : {}) });
  const { delivery, done } = emitEvent(ctx, { event: 'change_external_contact', changeType, xml });
  return { customer, follow, delivery, done };
}

/** The relationship was edited (e.g. remark or profile changed in the client): edit_external_contact. */
export function editCustomer(ctx: SimContext, req: { external_userid: string; userid?: string; name?: string; gender?: 0 | 1 | 2; birthday?: string; remark?: string; description?: string }): ActionResult {
  const customer = ctx.state.customers.get(req.external_userid);
  const follows = ctx.state.followsByCustomer.get(req.external_userid);
  const userid = req.userid ?? follows?.keys().next().value;
  const follow = userid ? follows?.get(userid) : undefined;
  if (!customer || !follow || !userid) throw new ControlError(404, `${req.external_userid} has no such relationship`);
  if (req.name !== undefined) customer.name = req.name;
  if (req.gender !== undefined) customer.gender = req.gender;
  if (req.birthday !== undefined) customer.birthday = req.birthday;
  if (req.remark !== undefined) follow.remark = req.remark;
  if (req.description !== undefined) follow.description = req.description;
  const xml = externalContactEventXml(ctx, { changeType: 'edit_external_contact', userid, externalUserid: req.external_userid });
  const { delivery, done } = emitEvent(ctx, { event: 'change_external_contact', changeType: 'edit_external_contact', xml });
  return { customer, follow, delivery, done };
}
