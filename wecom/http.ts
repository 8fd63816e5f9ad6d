import ky, { isNetworkError, isTimeoutError } from 'ky';
import type { KyInstance } from 'ky';
import type { z } from 'zod';
import { WeComApiError, WeComResponseShapeError, WeComTransportError } from './errors.ts';

/** Where and how to reach the WeCom server API (or the simulator). */
export type WeComHttpOptions = {
  /** e.g. https://qyapi.weixin.qq.com, or the simulator's URL (a path prefix is kept). */
  apiBase: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** A fetch implementation, for runtimes or tests that need one. */
  fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
};

/** Query-string values; undefined ones are left out. */
export type QueryParams = Record<string, string | number | undefined>;

/** One WeCom call: the response body is checked for errcode, then validated by `responseSchema`. */
export type WeComHttpRequest<S extends z.ZodType> = {
  method: 'GET' | 'POST';
  path: string;
  query?: QueryParams;
  body?: unknown;
  responseSchema: S;
};

/** Sends one request to WeCom and turns every failure into a typed error. Never retries. */
export class WeComHttp {
  readonly #ky: KyInstance;

  constructor(options: WeComHttpOptions) {
    this.#ky = ky.create({
      prefix: options.apiBase,
      // Temporal owns retries; the token retry lives in WeComClient.
      retry: 0,
      timeout: options.timeoutMs ?? 10_000,
      throwHttpErrors: false,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /** Performs the call; throws WeComApiError, WeComTransportError or WeComResponseShapeError. */
  async request<S extends z.ZodType>(req: WeComHttpRequest<S>): Promise<z.output<S>> {
    const searchParams: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) searchParams[key] = String(value);
    }
    let status: number;
    let text: string;
    try {
      const response = await this.#ky(req.path, {
        method: req.method,
        searchParams,
        // FormData (media/upload) goes as multipart; everything else as JSON.
        ...(req.method === 'POST' ? (req.body instanceof FormData ? { body: req.body } : { json: req.body ?? {} }) : {}),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      // The redaction edge: ky's errors (and undici's under them) carry the request URL, whose query
      // holds corpsecret or access_token. Only the kind and a system error code leave this block;
      // the original error is dropped, never chained as `cause`.
      const kind = isTimeoutError(error) ? 'timeout' : 'network';
      if (isTimeoutError(error) || isNetworkError(error) || error instanceof TypeError) {
        const code = systemErrorCode(error);
        throw new WeComTransportError({ kind, path: req.path, ...(code ? { detail: code } : {}) });
      }
      throw new WeComTransportError({ kind: 'network', path: req.path, detail: 'unexpected client failure' });
    }
    if (status < 200 || status > 299) {
      throw new WeComTransportError({ kind: 'http_status', status, path: req.path, ...plainDetail(text) });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WeComTransportError({ kind: 'bad_response', status, path: req.path, detail: 'body is not JSON' });
    }
    if (typeof body !== 'object' || body === null) {
      throw new WeComTransportError({ kind: 'bad_response', status, path: req.path, detail: 'body is not a JSON object' });
    }
    const { errcode, errmsg } = body as { errcode?: unknown; errmsg?: unknown };
    if (errcode !== undefined && errcode !== 0) {
      throw new WeComApiError({
        errcode: typeof errcode === 'number' ? errcode : Number(errcode),
        errmsg: typeof errmsg === 'string' ? errmsg : '',
        path: req.path,
      });
    }
    const parsed = req.responseSchema.safeParse(body);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new WeComResponseShapeError(req.path, detail);
    }
    return parsed.data;
  }
}

/** The first system error code (ECONNRESET, UND_ERR_SOCKET, …) in an error's cause chain: safe to show. */
function systemErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
  }
  return undefined;
}

/** A non-2xx body as detail only when it is short plain text (a proxy's "Bad Gateway"), never arbitrary content. */
function plainDetail(text: string): { detail?: string } {
  const trimmed = text.trim();
  return /^[A-Za-z0-9 .,:()_-]{1,80}$/.test(trimmed) ? { detail: trimmed } : {};
}
