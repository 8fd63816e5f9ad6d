import { ApplicationFailure } from '@temporalio/activity';

/** The shape shared by WeComApiError, WeComTransportError and WeworkNotConfiguredError. */
interface ClassifiedError extends Error {
  retryable?: boolean;
  category?: string;
  errcode?: number;
  messages?: { zh: string; en: string };
}

/**
 * Turns a WeCom error into what Temporal should do with it: retryable ones (rate limits, busy,
 * network) are rethrown for Temporal's backoff; the rest (configuration, invalid request,
 * relationship gone) fail at once with a message that says what to fix.
 */
export function asActivityFailure(error: unknown): Error {
  const classified = error as ClassifiedError;
  if (!(error instanceof Error)) return error as Error;
  if (classified.retryable === true && classified.category === undefined) {
    // A transport failure's cause is ky's error, whose message holds the request URL with its
    // access_token: keep only our own message (it names the path), never the cause chain.
    return ApplicationFailure.retryable(classified.message, 'wecom_transport');
  }
  if (classified.retryable !== false) return error as Error;
  const message = classified.messages ? `${classified.messages.zh} / ${classified.messages.en}` : classified.message;
  return ApplicationFailure.nonRetryable(message, `wecom_${classified.category ?? 'error'}`, {
    errcode: classified.errcode ?? null,
    category: classified.category ?? null,
  });
}

/** True when the error is WeCom's answer with this errcode. */
export function hasErrcode(error: unknown, errcode: number): boolean {
  return (error as ClassifiedError)?.errcode === errcode;
}
