import { z } from 'zod';
import { WeComHttp } from '../http.ts';
import type { WeComHttpOptions } from '../http.ts';

/** gettoken's success body. */
export const getTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

/** A fresh access token and how long WeCom says it lives. */
export type FetchedToken = { accessToken: string; expiresInSeconds: number };

/** Credentials of one self-built app. */
export type AppCredentials = { corpId: string; corpSecret: string };

/**
 * Calls GET /cgi-bin/gettoken. Not authenticated, so it bypasses WeComClient; a wrong Secret
 * surfaces as a WeComApiError of category `configuration` (40001), never retried.
 */
export async function fetchAccessToken(
  http: WeComHttp | WeComHttpOptions,
  credentials: AppCredentials,
): Promise<FetchedToken> {
  const client = http instanceof WeComHttp ? http : new WeComHttp(http);
  const body = await client.request({
    method: 'GET',
    path: '/cgi-bin/gettoken',
    query: { corpid: credentials.corpId, corpsecret: credentials.corpSecret },
    responseSchema: getTokenResponseSchema,
  });
  return { accessToken: body.access_token, expiresInSeconds: body.expires_in };
}
