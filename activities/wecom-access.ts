import type { MikroORM } from '@mikro-orm/postgresql';
import type { SecretBox } from '../db/secret-box.ts';
import { WeworkNotConfiguredError, WeworkTokenStore, findWeworkConfigRow } from '../db/wework-token.store.ts';
import { fetchAccessToken } from '../wecom/api/token.ts';
import type { AppCredentials } from '../wecom/api/token.ts';
import { WeComHttp } from '../wecom/http.ts';
import { TokenManager } from '../wecom/token-manager.ts';
import { createWeComApi } from '../wecom/wecom-api.ts';
import { rememberSecret } from '../logging/redact.ts';
import type { WeComApi } from '../wecom/wecom-api.ts';

export { WeworkNotConfiguredError } from '../db/wework-token.store.ts';

/** What createWeComAccess needs: the database, the key that seals secrets, and where WeCom is. */
export type WeComAccessOptions = {
  orm: MikroORM;
  box: SecretBox;
  /** WECOM_API_BASE: https://qyapi.weixin.qq.com, or the simulator. */
  apiBase: string;
  /** Per-request timeout; default 10 s (wecom/http.ts). */
  timeoutMs?: number;
  /** Refresh this long before expiry; default 60 s. */
  refreshMarginMs?: number;
};

/** A ready WeCom API and the token manager behind it (one per process: it caches the token). */
export type WeComAccess = { api: WeComApi; tokens: TokenManager; store: WeworkTokenStore };

/** The app credentials from the configuration row; WeworkNotConfiguredError when there are none. */
export async function readAppCredentials(orm: MikroORM, box: SecretBox): Promise<AppCredentials> {
  const row = await findWeworkConfigRow(orm.em.fork());
  if (!row?.corpId || !row.corpSecretSealed) throw new WeworkNotConfiguredError();
  const corpSecret = box.open(row.corpSecretSealed);
  // Whatever this process logs from now on has this value masked, wherever it turns up.
  rememberSecret(corpSecret);
  return { corpId: row.corpId, corpSecret };
}

/**
 * Builds the WeCom API over a token kept sealed in wework_config and refreshed under a PostgreSQL
 * advisory lock. Throws WeworkNotConfiguredError when WeCom is not configured yet.
 */
export async function createWeComAccess(options: WeComAccessOptions): Promise<WeComAccess> {
  const { orm, box } = options;
  await readAppCredentials(orm, box);
  const http = new WeComHttp({ apiBase: options.apiBase, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const store = new WeworkTokenStore({ orm, box });
  const tokens = new TokenManager({
    store,
    // Credentials are read at each refresh, so a Secret fixed in the dashboard works without a restart.
    fetchToken: async () => fetchAccessToken(http, await readAppCredentials(orm, box)),
    ...(options.refreshMarginMs === undefined ? {} : { refreshMarginMs: options.refreshMarginMs }),
  });
  const api = createWeComApi({
    apiBase: options.apiBase,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    // Every token this process uses is remembered by the log redaction (it may have been minted elsewhere).
    tokenProvider: {
      getToken: async (opts) => {
        const token = await tokens.getToken(opts);
        rememberSecret(token);
        return token;
      },
    },
  });
  return { api, tokens, store };
}

/**
 * One WeCom API per process, built on first use (WeCom may be configured after the worker
 * starts); a failed build is not cached, so configuring WeCom later needs no restart.
 */
export function lazyWeComApi(options: WeComAccessOptions): () => Promise<WeComApi> {
  let access: Promise<WeComAccess> | null = null;
  return async () => {
    access ??= createWeComAccess(options).catch((error: unknown) => {
      access = null;
      throw error;
    });
    return (await access).api;
  };
}
