import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { ControlError } from '../context.ts';
import type { SimContext } from '../context.ts';
import type { SimControls } from '../controls.ts';
import type { ActionResult } from '../customer-actions.ts';
import { getFollow } from '../state.ts';
import { contactWayView, baseUrl } from './contact-way.route.ts';

const customerFields = {
  external_userid: z.string().optional(),
  name: z.string().optional(),
  gender: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  birthday: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  mobile: z.string().optional(),
  /** Wait for the callback delivery to finish (all attempts) before answering. */
  wait: z.boolean().optional(),
  /** false: the add event carries no WelcomeCode (WeCom omits it sometimes). */
  welcome_code: z.boolean().optional(),
};
const scanBody = z.object({ config_id: z.string().min(1), userid: z.string().optional(), ...customerFields });
const addBody = z.object({ userid: z.string().min(1), add_way: z.number().int().optional(), state: z.string().max(30).optional(), ...customerFields });
const relBody = z.object({ userid: z.string().min(1), external_userid: z.string().min(1), source: z.string().optional(), wait: z.boolean().optional() });
const editBody = z.object({
  external_userid: z.string().min(1),
  userid: z.string().optional(),
  name: z.string().optional(),
  gender: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  birthday: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  remark: z.string().optional(),
  description: z.string().optional(),
  wait: z.boolean().optional(),
});
const faultBody = z.object({
  errcode: z.number().int().optional(),
  http: z.number().int().min(400).max(599).optional(),
  drop: z.boolean().optional(),
  /** Execute the next `count` calls but drop their answers. */
  lose: z.boolean().optional(),
  count: z.number().int().positive().optional(),
  api: z.string().optional(),
  latencyMs: z.number().int().min(0).optional(),
  quotas: z.record(z.string(), z.number().int().positive().nullable()).optional(),
  revokeTokens: z.boolean().optional(),
  expireTokens: z.boolean().optional(),
  clear: z.boolean().optional(),
});
const configBody = z.object({
  callbackUrl: z.string().url().nullable().optional(),
  publicUrl: z.string().url().optional(),
  tokenTtlSeconds: z.number().int().positive().optional(),
  welcomeCodeTtlSeconds: z.number().int().positive().optional(),
  callbackTimeoutMs: z.number().int().positive().optional(),
  callbackAttempts: z.number().int().positive().optional(),
  callbackRetryDelayMs: z.number().int().min(0).optional(),
  groupMsgConfirmDelayMs: z.number().int().min(0).nullable().optional(),
});
const resetBody = z.object({ customers: z.number().int().min(0).optional(), seed: z.number().int().optional() });

async function json<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  try {
    raw = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new ControlError(400, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

async function actionReply(c: Context, r: ActionResult, wait: boolean | undefined) {
  if (wait) await r.done;
  return c.json({ customer: r.customer, follow: r.follow, welcome_code: r.welcome_code ?? null, delivery: r.delivery }, 200);
}

/** Sim-only JSON control endpoints under /sim (act as the customer, faults, stats, reset…). */
export function registerControlRoutes(app: Hono, ctx: SimContext, controls: SimControls): void {
  app.get('/sim/health', (c) => c.json({ ok: true, customers: ctx.state.customers.size, staff: ctx.state.staff.size }, 200));

  // Demo credentials are not secrets: the dev orchestrator reads them to configure the product.
  app.get('/sim/config', (c) => {
    const o = ctx.options;
    return c.json({
      corpId: o.corpId, corpSecret: o.corpSecret, agentId: o.agentId, token: o.token, encodingAesKey: o.encodingAesKey,
      callbackUrl: o.callbackUrl ?? null, publicUrl: o.publicUrl ?? null, tokenTtlSeconds: o.tokenTtlSeconds,
      welcomeCodeTtlSeconds: o.welcomeCodeTtlSeconds, callbackTimeoutMs: o.callbackTimeoutMs, callbackAttempts: o.callbackAttempts,
      callbackRetryDelayMs: o.callbackRetryDelayMs, groupMsgConfirmDelayMs: o.groupMsgConfirmDelayMs,
    }, 200);
  });
  app.post('/sim/config', async (c) => {
    const b = await json(c, configBody);
    const { callbackUrl, ...rest } = b;
    controls.setOptions(rest as Parameters<SimControls['setOptions']>[0]);
    if (callbackUrl !== undefined) ctx.options.callbackUrl = callbackUrl ?? undefined;
    return c.json({ ok: true }, 200);
  });

  app.post('/sim/reset', async (c) => {
    const b = await json(c, resetBody);
    controls.reset({ ...(b.customers !== undefined ? { customers: b.customers } : {}), ...(b.seed !== undefined ? { seed: b.seed } : {}) });
    return c.json({ ok: true, customers: ctx.state.customers.size }, 200);
  });

  app.get('/sim/faults', (c) => {
    const f = ctx.faults;
    return c.json({ forced: f.forced, latencyMs: f.latencyMs, latencyByApi: f.latencyByApi, quotas: f.quotas }, 200);
  });
  app.post('/sim/faults', async (c) => {
    const b = await json(c, faultBody);
    if (b.clear) controls.clearFaults();
    if (b.errcode !== undefined) controls.forceError(b.errcode, b.count ?? 1, b.api);
    if (b.http !== undefined) controls.forceHttpError(b.http, b.count ?? 1, b.api);
    if (b.drop) controls.forceDrop(b.count ?? 1, b.api);
    if (b.lose) controls.loseResponses(b.count ?? 1, b.api);
    if (b.latencyMs !== undefined) controls.setLatency(b.latencyMs, b.api);
    for (const [api, q] of Object.entries(b.quotas ?? {})) controls.setQuota(api, q);
    const revoked = b.revokeTokens ? controls.revokeTokens() : 0;
    if (b.expireTokens) controls.expireTokens();
    return c.json({ ok: true, revoked }, 200);
  });
  app.delete('/sim/faults', (c) => {
    controls.clearFaults();
    return c.json({ ok: true }, 200);
  });
  app.post('/sim/tokens/revoke', (c) => c.json({ ok: true, revoked: controls.revokeTokens() }, 200));
  app.get('/sim/tokens', (c) => c.json({ tokens: ctx.tokens.view() }, 200));

  app.get('/sim/stats/calls', (c) => c.json(controls.stats(), 200));
  app.delete('/sim/stats/calls', (c) => {
    controls.resetStats();
    return c.json({ ok: true }, 200);
  });

  app.get('/sim/deliveries', (c) => {
    const changeType = c.req.query('change_type');
    return c.json({ deliveries: controls.deliveries().filter((d) => !changeType || d.changeType === changeType) }, 200);
  });
  app.delete('/sim/deliveries', (c) => {
    ctx.state.deliveries = [];
    return c.json({ ok: true }, 200);
  });
  app.post('/sim/callback/verify', async (c) => {
    const b = await json(c, z.object({ url: z.string().url().optional() }));
    return c.json(await controls.verifyCallbackUrl(b.url), 200);
  });

  app.post('/sim/customers/scan', async (c) => {
    const b = await json(c, scanBody);
    const r = controls.scan({ ...b, ...(b.welcome_code === false ? { withWelcomeCode: false } : {}) });
    return actionReply(c, r, b.wait);
  });
  app.post('/sim/customers/add', async (c) => {
    const b = await json(c, addBody);
    const r = controls.addCustomer({ ...b, add_way: b.add_way ?? 2, ...(b.welcome_code === false ? { withWelcomeCode: false } : {}) });
    return actionReply(c, r, b.wait);
  });
  app.post('/sim/customers/delete-staff', async (c) => {
    const b = await json(c, relBody);
    return actionReply(c, controls.customerDeletesStaff(b), b.wait);
  });
  app.post('/sim/staff/delete-customer', async (c) => {
    const b = await json(c, relBody);
    return actionReply(c, controls.staffDeletesCustomer(b), b.wait);
  });
  app.post('/sim/customers/edit', async (c) => {
    const b = await json(c, editBody);
    return actionReply(c, controls.editCustomer(b), b.wait);
  });

  // Sim-only customer directory: includes birthday and mobile, which WeCom never returns.
  app.get('/sim/customers', (c) => {
    const limit = Math.min(Number(c.req.query('limit') ?? 100) || 100, 10_000);
    const offset = Number(c.req.query('offset') ?? 0) || 0;
    const userid = c.req.query('userid');
    const birthMonth = c.req.query('birth_month');
    let rows = [...ctx.state.customers.values()];
    if (userid) rows = rows.filter((x) => getFollow(ctx.state, userid, x.external_userid));
    if (birthMonth) rows = rows.filter((x) => x.birthday.slice(5, 7) === birthMonth.padStart(2, '0'));
    return c.json({ total: rows.length, customers: rows.slice(offset, offset + limit) }, 200);
  });
  // The clinic's own records (its booking/CRM export): phone, name and birthday, which WeCom never
  // gives. The dashboard's birthday import reads this file and matches customers by phone in remark.
  app.get('/sim/clinic-records.csv', (c) => {
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
    const lines = [...ctx.state.customers.values()].map((x) => [x.mobile, x.name, x.birthday].map(quote).join(','));
    return c.body(['手机号,姓名,生日', ...lines].join('\n') + '\n', 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="clinic-records.csv"' });
  });
  app.get('/sim/customers/:id', (c) => {
    const id = c.req.param('id');
    const customer = ctx.state.customers.get(id);
    if (!customer) return c.json({ error: 'no such customer' }, 404);
    return c.json({ customer, follows: [...(ctx.state.followsByCustomer.get(id)?.values() ?? [])] }, 200);
  });
  app.get('/sim/staff', (c) => c.json({ staff: [...ctx.state.staff.values()], departments: ctx.state.departments }, 200));
  app.get('/sim/contact-ways', (c) => c.json({ contact_ways: [...ctx.state.contactWays.values()].map((w) => contactWayView(w, baseUrl(ctx, c.req.url))) }, 200));

  app.get('/sim/messages', (c) => {
    const kind = c.req.query('kind');
    if (c.req.query('dropped') === '1') return c.json({ messages: controls.droppedMessages() }, 200);
    return c.json({ messages: controls.messages(kind === 'app' || kind === 'welcome' ? kind : undefined) }, 200);
  });
  app.delete('/sim/messages', (c) => {
    ctx.state.messages = [];
    return c.json({ ok: true }, 200);
  });

  app.get('/sim/groupmsgs', (c) => c.json({ group_msgs: [...ctx.state.groupMsgs.values()] }, 200));
  app.post('/sim/groupmsgs/confirm', async (c) => {
    const b = await json(c, z.object({ msgid: z.string().min(1), userid: z.string().optional() }));
    return c.json({ ok: true, confirmed: controls.confirmGroupMsg(b.msgid, b.userid) }, 200);
  });
}
