import type { z } from 'zod';

/**
 * Forms and the API share one zod schema per resource. Their issue messages are stable codes
 * (e.g. `state_too_long`): the dashboard turns a code into a sentence in the user's language
 * (web/src/i18n), the API into an English sentence from the schema's text table.
 */

/** The first issue code per field (`conclusions.text`, `users`…) of a failed parse. */
export function fieldErrorCodes(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    // Only the first problem of each field is shown: it is the one to fix first.
    out[field] ??= issue.message;
  }
  return out;
}

/** One line naming the field and, when the code is known, the English explanation. */
export function describeCodedIssue(error: z.ZodError, texts: Readonly<Record<string, string>>): { field: string; code: string; message: string } {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  const text = texts[issue.message];
  return { field, code: issue.message, message: `${field}: ${text ?? issue.message}` };
}

/** Length in UTF-8 bytes, as WeCom counts its byte limits (a Chinese character is 3 bytes). */
export function utf8Bytes(value: string): number {
  return new TextEncoder().encode(value).length;
}

/** Length in characters (code points), as WeCom counts its character limits. */
export function charCount(value: string): number {
  return [...value].length;
}
