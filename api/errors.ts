import { isGrpcServiceError } from '@temporalio/client';
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

/**
 * Temporal could not be reached (stopped, restarting, or too slow to answer): gRPC UNAVAILABLE (14)
 * or DEADLINE_EXCEEDED (4), on the error or in its causes (the client wraps it in a ServiceError).
 */
export function isTemporalUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (isGrpcServiceError(e) && (e.code === 14 || e.code === 4)) return true;
  }
  return false;
}

/**
 * The app's single `onError`: known errors keep their status; Temporal out of reach is a 503 the
 * dashboard words in the user's language; anything else is a logged 500.
 */
export function handleError(error: Error, c: Context) {
  if (error instanceof AppError) return c.json(errorBody(error.code, error.message, error.extra), error.status);
  if (isTemporalUnreachable(error)) {
    log.warn(`${c.req.method} ${c.req.path}: Temporal is unreachable (${error.message})`);
    return c.json(errorBody('temporal_unavailable', 'Temporal (the workflow engine) cannot be reached; try again when /api/health reports it back.'), 503);
  }
  if (error instanceof HTTPException) {
    return c.json(errorBody(`http_${error.status}`, error.message || 'Request rejected'), error.status as ContentfulStatusCode);
  }
  log.error(`${c.req.method} ${c.req.path} failed:`, error);
  return c.json(errorBody('internal_error', 'The server hit an unexpected error; see the API log for details.'), 500);
}
