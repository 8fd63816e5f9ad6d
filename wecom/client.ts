import type { z } from 'zod';
import { WeComApiError, WeComRequestValidationError } from './errors.ts';
import { WeComHttp } from './http.ts';
import type { QueryParams, WeComHttpOptions } from './http.ts';

/** Supplies access tokens; the token manager implements it over a shared store. */
export interface TokenProvider {
  /**
   * Returns a usable token. `forceRefresh` asks for a new one; with `rejectedToken` the provider
   * refreshes only if its current token is still that one (so many rejected callers cause one refresh).
   */
  getToken(opts?: { forceRefresh?: boolean; rejectedToken?: string }): Promise<string>;
}

/** Options of WeComClient. */
export type WeComClientOptions = WeComHttpOptions & { tokenProvider: TokenProvider };

/** One authenticated call; `requestSchema` validates the body before anything is sent. */
export type WeComCall<S extends z.ZodType> = {
  method: 'GET' | 'POST';
  path: string;
  query?: QueryParams;
  body?: unknown;
  requestSchema?: z.ZodType;
  responseSchema: S;
};

/** Authenticated WeCom calls: adds access_token, retries exactly once after a token error. */
export class WeComClient {
  readonly #http: WeComHttp;
  readonly #tokens: TokenProvider;

  constructor(options: WeComClientOptions) {
    this.#http = new WeComHttp(options);
    this.#tokens = options.tokenProvider;
  }

  /** Performs an authenticated call; see WeComHttp.request for the errors it throws. */
  async call<S extends z.ZodType>(call: WeComCall<S>): Promise<z.output<S>> {
    let body = call.body;
    if (call.requestSchema) {
      const checked = call.requestSchema.safeParse(call.body);
      if (!checked.success) {
        throw new WeComRequestValidationError(
          call.path,
          checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        );
      }
      body = checked.data;
    }
    const send = (token: string) =>
      this.#http.request({
        method: call.method,
        path: call.path,
        query: { ...call.query, access_token: token },
        body,
        responseSchema: call.responseSchema,
      });

    const token = await this.#tokens.getToken();
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof WeComApiError) || error.category !== 'token') throw error;
      // WeCom may revoke a token before its expiry: refresh once, and give up if it happens again.
      const fresh = await this.#tokens.getToken({ forceRefresh: true, rejectedToken: token });
      return await send(fresh);
    }
  }

  /** Authenticated GET. */
  get<S extends z.ZodType>(path: string, query: QueryParams, responseSchema: S): Promise<z.output<S>> {
    return this.call({ method: 'GET', path, query, responseSchema });
  }

  /** Authenticated POST of a JSON body, validated by `requestSchema` first when given. */
  post<S extends z.ZodType>(
    path: string,
    body: unknown,
    responseSchema: S,
    requestSchema?: z.ZodType,
  ): Promise<z.output<S>> {
    return this.call({ method: 'POST', path, body, responseSchema, ...(requestSchema ? { requestSchema } : {}) });
  }
}
