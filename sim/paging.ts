import { wecomError } from './errors.ts';

/** Encodes a cursor position as an opaque string, as WeCom's cursors are. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; '' or absent → undefined; garbage → 40058. */
export function decodeCursor<T>(cursor: string | undefined, isValid: (v: unknown) => v is T): T | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(v)) return v;
  } catch {
    // fall through: invalid cursor
  }
  throw wecomError('invalidParam', 'invalid cursor');
}

/** Checks an optional `limit` against WeCom's maximum and applies its default. */
export function pageLimit(limit: number | undefined, max: number, dflt: number): number {
  if (limit === undefined || limit === 0) return dflt;
  if (!Number.isInteger(limit) || limit < 0 || limit > max) throw wecomError('invalidParam', `limit must be 1..${max}`);
  return limit;
}

/** Index of the first element whose key is greater than `after` in an array sorted by key. */
export function firstAfter<T>(items: readonly T[], key: (t: T) => number, after: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]!) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
