import type { IncomingMessage } from 'node:http';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { SimContext } from './context.ts';
import { WecomError, errmsgFor, wecomError } from './errors.ts';
import { countCall, countError, overQuota, passBarrier, takeForcedFault } from './faults.ts';
import { createLogger } from '../logging/logger.ts';

const log = createLogger('sim');

/** What a WeCom handler receives: the query string and the parsed JSON body. */
export type ApiRequest = { query: Record<string, string>; body: unknown; c: Context };

/** A WeCom handler: returns the success fields (errcode 0 is added) or throws a WecomError. */
export type ApiHandler = (req: ApiRequest) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * Registers `/cgi-bin/<name>` with WeCom's envelope: counts the call, applies fault knobs
 * (latency, forced HTTP/errcode, per-minute quota, barriers), checks access_token (except gettoken),
 * parses JSON (47001 on malformed), and answers `{errcode, errmsg, ...}` on HTTP 200.
 */
export function wecomRoute(app: Hono, ctx: SimContext, method: 'GET' | 'POST', name: string, handler: ApiHandler, opts: { auth?: boolean; multipart?: boolean } = {}): void {
  app.on(method, `/cgi-bin/${name}`, async (c) => {
    const f = ctx.faults;
    countCall(f, name);
    const delay = f.latencyMs + (f.latencyByApi[name] ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fail = (err: WecomError) => {
      countError(f, name, err.errcode);
      return c.json({ errcode: err.errcode, errmsg: err.message }, 200);
    };
    const forced = takeForcedFault(f, name);
    if (forced?.kind === 'drop') {
      // As when WeCom's connection drops mid-call: no status, no body, the client sees a network error.
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      if (incoming) {
        incoming.socket.destroy();
        return new Promise<Response>(() => {});
      }
      return c.text('simulated dropped connection', 502);
    }
    if (forced?.kind === 'http') {
      return c.text(`simulated HTTP ${forced.code}`, forced.code as 500);
    }
    if (forced && forced.kind !== 'lose') return fail(new WecomError(forced.code, errmsgFor(forced.code)));
    if (overQuota(f, name, ctx.options.now())) return fail(wecomError('freqLimit'));
    const query = c.req.query();
    try {
      if (opts.auth !== false) ctx.tokens.check(query.access_token);
      let body: unknown = {};
      if (method === 'POST' && opts.multipart) {
        body = await c.req.parseBody();
      } else if (method === 'POST') {
        const text = await c.req.text();
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            throw wecomError('dataFormat', 'Warning: wrong json format.');
          }
        }
      }
      // Held after the body is read: a caller that dies meanwhile still gets its call executed.
      await passBarrier(f, name);
      const result = await handler({ query, body, c });
      if (forced?.kind === 'lose') return dropConnection(c);
      return c.json({ errcode: 0, errmsg: 'ok', ...result }, 200);
    } catch (err) {
      if (err instanceof WecomError) return fail(err);
      log.error(`${name} failed`, err);
      return fail(wecomError('systemBusy'));
    }
  });
}

/** The call was executed, but the caller never hears: the socket is destroyed (HTTP 504 where there is none). */
function dropConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
  incoming?.socket?.destroy();
  return c.text('simulated lost response', 504);
}

/** Validates a body with zod; a mismatch becomes WeCom's 40058 invalid-parameter error naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw wecomError('invalidParam', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body');
}

/** A string field WeCom limits to `max` characters (counted as Unicode characters, as WeCom does). */
export function maxChars(max: number) {
  return z.string().refine((s) => [...s].length <= max, { message: `exceeds ${max} characters` });
}
