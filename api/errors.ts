import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiError } from '../common/errors.schema.ts';
import { createLogger } from '../logging/logger.ts';

const log = createLogger('api');

/** An error the API reports to its caller with a stable code and a message that says what to do. */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly extra: ErrorExtra;

  /** `code` is machine-readable (the dashboard translates it); `message` is for people. */
  constructor(status: ContentfulStatusCode, code: string, message: string, extra: ErrorExtra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/** Optional parts of an error body: the field it concerns, and the fix in both languages. */
export type ErrorExtra = Omit<ApiError['error'], 'code' | 'message'>;

/** Builds the one JSON error shape of SPEC §3. */
export function errorBody(code: string, message: string, extra: ErrorExtra = {}): ApiError {
  return { error: { code, message, ...extra } };
}

/** The app's single `onError`: known errors keep their status; anything else is a logged 500. */
export function handleError(error: Error, c: Context) {
  if (error instanceof AppError) return c.json(errorBody(error.code, error.message, error.extra), error.status);
  if (error instanceof HTTPException) {
    return c.json(errorBody(`http_${error.status}`, error.message || 'Request rejected'), error.status as ContentfulStatusCode);
  }
  log.error(`${c.req.method} ${c.req.path} failed:`, error);
  return c.json(errorBody('internal_error', 'The server hit an unexpected error; see the API log for details.'), 500);
}
