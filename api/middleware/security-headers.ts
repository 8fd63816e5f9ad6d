import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { errorBody } from '../errors.ts';

/** Hosts WeCom serves avatars and images from (and the simulator's avatars, on wx.qlogo.cn). */
export const WECOM_IMAGE_HOSTS = ['https://wework.qpic.cn', 'https://p.qlogo.cn', 'https://thirdwx.qlogo.cn', 'https://wx.qlogo.cn', 'https://rescdn.qqmail.com'] as const;

/** Default cap of a JSON request body: far above any form the dashboard sends, far below a memory problem. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Security headers for every answer: a CSP that allows the dashboard's own scripts and styles
 * and WeCom's image hosts, no framing (clickjacking), nosniff, no referrer; HSTS only when the
 * site is served over HTTPS (production), since a browser would otherwise refuse plain-HTTP dev.
 */
export function securityHeaders(options: { hsts: boolean }): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Vue and the UI kit set inline styles; no inline script is allowed.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:', ...WECOM_IMAGE_HOSTS],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    strictTransportSecurity: options.hsts ? 'max-age=31536000; includeSubDomains' : false,
  });
}

/**
 * `Cache-Control: no-store` on API answers: nearly all carry personal data (customers, users, the
 * audit log) that no browser cache or shared proxy may keep. The public status is the exception.
 */
export function noStoreForApi(publicPaths: ReadonlySet<string>): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!publicPaths.has(c.req.path) && !c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  };
}

/** 413 with the API's error shape once a body passes `maxSize` bytes (declared or streamed); `larger` raises it for named paths (uploads). */
export function apiBodyLimit(maxSize: number = DEFAULT_BODY_LIMIT, larger: Readonly<Record<string, number>> = {}): MiddlewareHandler {
  const limit = (size: number) => bodyLimit({
    maxSize: size,
    onError: (c) => c.json(errorBody('payload_too_large', `The request body is larger than ${Math.round(size / 1024)} KiB.`), 413),
  });
  const standard = limit(maxSize);
  const raised = new Map(Object.entries(larger).map(([path, size]) => [path, limit(size)]));
  return (c, next) => (raised.get(c.req.path) ?? standard)(c, next);
}
