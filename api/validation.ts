import type { Context } from 'hono';
import type { z } from 'zod';
import { describeCodedIssue } from '../common/form-errors.ts';
import { AppError } from './errors.ts';

/**
 * The issue to report: the first, or inside a union none of whose shapes matched (a schedule that
 * is neither `{ at }` nor `{ cron }`), the first issue of the shape that came closest.
 */
function firstIssue(issues: readonly z.core.$ZodIssue[], path: PropertyKey[] = []): { issue: z.core.$ZodIssue; path: PropertyKey[] } {
  const issue = issues[0]!;
  const at = [...path, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    if (closest.length > 0) return firstIssue(closest, at);
  }
  return { issue, path: at };
}

/** The first issue of a zod error as one line that names the field. */
function describeIssue(error: z.ZodError, fallbackField: string): string {
  const { issue, path } = firstIssue(error.issues);
  const field = path.length > 0 ? path.join('.') : fallbackField;
  return issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
}

/** Parses the JSON body with `schema`; 400 `invalid_request` naming the field otherwise. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError(400, 'invalid_request', 'The request body must be JSON.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError(400, 'invalid_request', describeIssue(parsed.error, 'body'));
  return parsed.data;
}

/** Parses the query string with `schema`; 400 `invalid_request` naming the parameter otherwise. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new AppError(400, 'invalid_request', describeIssue(parsed.error, 'query'));
  return parsed.data;
}

/** A positive integer path parameter; 400 `invalid_request` naming it otherwise. */
export function readIdParam(c: Context, name = 'id'): number {
  const value = Number(c.req.param(name));
  if (!Number.isSafeInteger(value) || value < 1) throw new AppError(400, 'invalid_request', `${name} must be a positive whole number`);
  return value;
}

/**
 * Parses the JSON body with a schema whose issue messages are codes (common/form-errors.ts): 400
 * with `code` = the issue code, `field` = the field, and the English text from `texts`.
 */
export async function readCodedJson<S extends z.ZodType>(c: Context, schema: S, texts: Readonly<Record<string, string>>): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError(400, 'invalid_request', 'The request body must be JSON.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = describeCodedIssue(parsed.error, texts);
    throw new AppError(400, issue.code in texts ? issue.code : 'invalid_request', issue.message, { field: issue.field });
  }
  return parsed.data;
}
