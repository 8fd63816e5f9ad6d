import type { z } from 'zod';
import { CSRF_HEADER } from '../../../common/auth.schema.ts';
import { apiErrorSchema } from '../../../common/errors.schema.ts';

/**
 * The only door from the dashboard to the API. Every response is validated with a zod schema from
 * common/, and every failure (API error body, HTTP error without one, network failure, unexpected
 * body) becomes one typed `ApiRequestError`.
 */

/** Codes the client itself assigns; any other code comes from the API's `{ error: { code } }`. */
export const CLIENT_ERROR_CODES = {
  /** The API server could not be reached (fetch failed, or the dev proxy answered for it). */
  unreachable: 'unreachable',
  /** The API answered with a body the dashboard does not understand. */
  invalidResponse: 'invalid-response',
  /** The API answered an HTTP error without the usual error body. */
  httpError: 'http-error',
} as const;

/** A failed API request: `code` is machine-readable, `message` is for people (English from the API). */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  readonly code: string;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** The form field the API named, for showing the error beside it. */
  readonly field: string | null;
  /** What to fix, in both languages, when the API knows (e.g. a WeCom errcode's advice). */
  readonly fix: { zh: string; en: string } | null;

  constructor(code: string, message: string, status: number | null = null, extra: { field?: string | undefined; fix?: { zh: string; en: string } | undefined } = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.field = extra.field ?? null;
    this.fix = extra.fix ?? null;
  }

  /** True when the API server itself could not be reached. */
  get isUnreachable(): boolean {
    return this.code === CLIENT_ERROR_CODES.unreachable;
  }
}

/**
 * The session's CSRF token, sent as `x-csrf-token` on every state-changing request. Set by the
 * auth store from `GET /api/auth/me` or a sign-in; null when signed out.
 */
let csrfToken: string | null = null;

/** Remembers the CSRF token to send with POST/PUT/PATCH/DELETE (null: signed out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Paths whose 401 is an answer, not "your session ended": the sign-in itself and the "who am I" check. */
const AUTH_PATHS = new Set(['/api/auth/login', '/api/auth/me']);
let unauthenticatedHandler: (() => void) | null = null;

/** Registers what to do when the API says the session ended (go to the sign-in page); returns an unregister function. */
export function onUnauthenticated(handler: () => void): () => void {
  unauthenticatedHandler = handler;
  return () => {
    if (unauthenticatedHandler === handler) unauthenticatedHandler = null;
  };
}

/** Options of one request. */
export interface RequestOptions {
  /**
   * Non-2xx statuses whose body is still a valid answer of `schema` (e.g. `GET /api/health` answers
   * 503 with a full report when a component is down).
   */
  acceptStatuses?: readonly number[];
  /** JSON body for POST/PUT/PATCH; a FormData goes as multipart (uploads). */
  body?: unknown;
  signal?: AbortSignal;
  /** `Idempotency-Key`: a retry of the same action (after an error or a lost answer) is taken once. */
  idempotencyKey?: string;
}

/** Reads a response body as JSON; undefined when it is empty or not JSON. */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A fresh `Idempotency-Key`: 128 random bits as hex. (crypto.randomUUID exists only in secure
 * contexts, and the dashboard may be served over plain HTTP on the clinic's network.)
 */
export function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Sends one request to the API and validates the answer with `schema`. */
export async function requestJson<S extends z.ZodType>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  schema: S,
  options: RequestOptions = {},
): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && csrfToken !== null) headers[CSRF_HEADER] = csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (options.body instanceof FormData) {
    // A file upload: the browser sets the multipart content type with its boundary.
    init.body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiRequestError(
      CLIENT_ERROR_CODES.unreachable,
      `The API server is not reachable (${cause instanceof Error ? cause.message : String(cause)}).`,
    );
  }

  const body = await readJson(response);
  const accepted = response.ok || (options.acceptStatuses ?? []).includes(response.status);
  if (accepted) {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    if (response.ok) {
      throw new ApiRequestError(
        CLIENT_ERROR_CODES.invalidResponse,
        `Unexpected response from ${method} ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
        response.status,
      );
    }
    // An accepted error status whose body is not a valid answer: fall through to the error shape.
  }

  const apiError = apiErrorSchema.safeParse(body);
  if (response.status === 401 && apiError.success && apiError.data.error.code === 'unauthenticated' && !AUTH_PATHS.has(path)) {
    unauthenticatedHandler?.();
  }
  if (apiError.success) {
    const { code, message, field, fix } = apiError.data.error;
    throw new ApiRequestError(code, message, response.status, { field, fix });
  }
  // A 5xx without a JSON body is what a proxy (Vite's dev server, a load balancer) answers when the
  // API process behind it is down: report it as unreachable, like a failed fetch.
  if (response.status >= 500 && body === undefined) {
    throw new ApiRequestError(
      CLIENT_ERROR_CODES.unreachable,
      `The API server is not reachable (HTTP ${response.status} from the proxy).`,
      response.status,
    );
  }
  throw new ApiRequestError(
    CLIENT_ERROR_CODES.httpError,
    `${method} ${path} failed with HTTP ${response.status}.`,
    response.status,
  );
}

/** GET `path` and validate the JSON answer with `schema`. */
export function getJson<S extends z.ZodType>(path: string, schema: S, options?: Omit<RequestOptions, 'body'>): Promise<z.infer<S>> {
  return requestJson('GET', path, schema, options);
}

/** POST `body` (JSON) to `path` and validate the JSON answer with `schema`. */
export function postJson<S extends z.ZodType>(path: string, body: unknown, schema: S, options?: Omit<RequestOptions, 'body'>): Promise<z.infer<S>> {
  return requestJson('POST', path, schema, { ...options, body });
}

/** PUT `body` (JSON) to `path` and validate the JSON answer with `schema`. */
export function putJson<S extends z.ZodType>(path: string, body: unknown, schema: S, options?: Omit<RequestOptions, 'body'>): Promise<z.infer<S>> {
  return requestJson('PUT', path, schema, { ...options, body });
}

/** DELETE `path` and validate the JSON answer with `schema`. */
export function deleteJson<S extends z.ZodType>(path: string, schema: S, options?: Omit<RequestOptions, 'body'>): Promise<z.infer<S>> {
  return requestJson('DELETE', path, schema, options);
}

/** PATCH `body` (JSON) to `path` and validate the JSON answer with `schema`. */
export function patchJson<S extends z.ZodType>(path: string, body: unknown, schema: S, options?: Omit<RequestOptions, 'body'>): Promise<z.infer<S>> {
  return requestJson('PATCH', path, schema, { ...options, body });
}
