import type { Context } from 'hono';
import { AppError } from '../errors.ts';

/** 415 unless the body is declared JSON: a form post from another site cannot then sign anyone in. */
export function requireJsonBody(c: Context): void {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AppError(415, 'unsupported_media_type', 'Send the sign-in as application/json.');
  }
}

/**
 * 403 when the browser says the request comes from another site: an `Origin` header, if present,
 * must name this host (the Host the request was sent to, or X-Forwarded-Host behind a trusted
 * proxy) or one of `allowed`. Clients that are not browsers send no Origin and pass.
 */
export function requireAllowedOrigin(c: Context, allowed: readonly string[]): void {
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  if (allowed.some((entry) => entry.replace(/\/$/, '') === origin)) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    // "null" (sandboxed frames, file://) or garbage: refused below.
  }
  const ownHosts = [c.req.header('host'), new URL(c.req.url).host];
  if (c.get('viaTrustedProxy')) ownHosts.push(c.req.header('x-forwarded-host')?.split(',')[0]?.trim());
  if (host !== null && ownHosts.includes(host)) return;
  throw new AppError(403, 'origin_not_allowed', 'Sign-in is only accepted from the dashboard\'s own site.');
}
