import { ApplicationFailure } from '@temporalio/activity';
import { redactText } from '../logging/redact.ts';

/** The shape shared by WeComApiError, WeComTransportError and WeworkNotConfiguredError. */
interface ClassifiedError extends Error {
  retryable?: boolean;
  category?: string;
  errcode?: number;
  kind?: string;
  messages?: { zh: string; en: string };
}

/**
 * Turns any activity error into a plain Temporal failure: an ApplicationFailure whose type is the
 * WeCom category (`wecom_rate_limited`, `wecom_configuration`, … from wecom/errors.ts), whose
 * message is the errcode table's advice or a redacted one-liner, with no `cause` — so no library's
 * error (ky's carries the request URL with corpsecret/access_token) is ever chained into the
 * history. Retryable categories (rate limits, busy, network) stay retryable for Temporal's
 * backoff; the rest (configuration, invalid request, relationship gone) fail at once.
 */
export function asActivityFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure && error.cause === undefined) {
    return error.message === redactText(error.message) ? error : rebuild(error, redactText(error.message));
  }
  const classified = (error instanceof Error ? error : new Error(String(error))) as ClassifiedError;
  const message = classified.messages
    ? `${classified.messages.zh} / ${classified.messages.en}`
    : redactText(classified.message);
  const type = classified.category ? `wecom_${classified.category}` : (classified.kind ? 'wecom_transport' : classified.name || 'Error');
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: classified.retryable === false || (error instanceof ApplicationFailure && Boolean(error.nonRetryable)),
    details: [{ errcode: classified.errcode ?? null, category: classified.category ?? (classified.kind ? 'transport' : null) }],
  });
}

/** The same failure with a safe message and without its cause. */
function rebuild(failure: ApplicationFailure, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    message, type: failure.type ?? 'Error', nonRetryable: Boolean(failure.nonRetryable), details: failure.details as unknown[],
    ...(failure.nextRetryDelay === undefined ? {} : { nextRetryDelay: failure.nextRetryDelay }),
  });
}

/** True when the error is WeCom's answer with this errcode. */
export function hasErrcode(error: unknown, errcode: number): boolean {
  return (error as ClassifiedError)?.errcode === errcode;
}
