import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { WeworkConfig } from './entities/index.ts';
import type { IWeworkConfig } from './entities/wework-config.entity.ts';
import type { SecretBox } from './secret-box.ts';

/** The advisory-lock key every process takes before calling gettoken (beside migrations' 724_001). */
export const WECOM_TOKEN_LOCK_ID = 724_002;

/** An access token as the store hands it out (the shape of wecom/'s StoredToken). */
export type StoredAccessToken = { token: string; expiresAt: Date };

const NOT_CONFIGURED_MESSAGES = {
  zh: '尚未配置企业微信:请在管理后台「企业微信配置」中填写 CorpID、Secret、AgentID、Token 和 EncodingAESKey,或通过 WECOM_CORP_ID、WECOM_CORP_SECRET 等 WECOM_* 环境变量提供',
  en: 'WeCom is not configured: enter the CorpID, Secret, AgentID, Token and EncodingAESKey on the dashboard\'s WeCom configuration page, or provide them in the WECOM_* environment variables (WECOM_CORP_ID, WECOM_CORP_SECRET, …).',
} as const;

/**
 * No WeCom configuration exists yet. Shaped like a WeCom configuration error (category,
 * retryable, bilingual messages) so callers handle both alike: an admin must act, retrying cannot help.
 */
export class WeworkNotConfiguredError extends Error {
  override readonly name = 'WeworkNotConfiguredError';
  readonly code = 'wecom_not_configured';
  readonly category = 'configuration';
  readonly retryable = false;
  readonly messages = NOT_CONFIGURED_MESSAGES;

  constructor() {
    super(NOT_CONFIGURED_MESSAGES.en);
  }
}

/** Reads the single configuration row (the lowest id, as saveWeworkCredentials does), or null. */
export async function findWeworkConfigRow(em: EntityManager): Promise<IWeworkConfig | null> {
  return em.findOne(WeworkConfig, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
}

/**
 * The access token shared by every process, kept sealed in the wework_config row. It satisfies
 * wecom/'s TokenStore structurally (db/ does not import wecom/). The refresh lock is a PostgreSQL
 * transaction-level advisory lock, so one process in the whole deployment calls gettoken at a time and
 * a crashed holder releases it with its connection.
 */
export class WeworkTokenStore {
  readonly #orm: MikroORM;
  readonly #box: SecretBox;
  readonly #lockId: number;
  // Inside withRefreshLock, reads and writes use the lock's own transaction: the new token then
  // commits together with the unlock, and a refresh never needs a second pooled connection (a pool
  // exhausted by callers waiting for this very token would otherwise deadlock).
  readonly #lockTransaction = new AsyncLocalStorage<EntityManager>();

  constructor(options: { orm: MikroORM; box: SecretBox; lockId?: number }) {
    this.#orm = options.orm;
    this.#box = options.box;
    this.#lockId = options.lockId ?? WECOM_TOKEN_LOCK_ID;
  }

  /** The stored token, or null when none is stored (or no configuration row exists). */
  async read(): Promise<StoredAccessToken | null> {
    const row = await findWeworkConfigRow(this.#em());
    if (!row?.accessTokenSealed || !row.accessTokenExpiresAt) return null;
    return { token: this.#box.open(row.accessTokenSealed), expiresAt: row.accessTokenExpiresAt };
  }

  /** Seals and stores the token; throws WeworkNotConfiguredError when the row is gone. */
  async write(token: StoredAccessToken): Promise<void> {
    const em = this.#em();
    const row = await findWeworkConfigRow(em);
    if (!row) throw new WeworkNotConfiguredError();
    row.accessTokenSealed = this.#box.seal(token.token);
    row.accessTokenExpiresAt = token.expiresAt;
    await em.flush();
  }

  /** Runs `fn` holding the deployment-wide refresh lock (pg_advisory_xact_lock in its own transaction). */
  async withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    // Re-entry would wait for itself forever on a second transaction.
    if (this.#lockTransaction.getStore()) return fn();
    return this.#orm.em.fork().transactional(async (trx) => {
      await trx.execute('select pg_advisory_xact_lock(?)', [this.#lockId]);
      return this.#lockTransaction.run(trx, fn);
    });
  }

  /** A clean EntityManager: on the lock's transaction when inside it, else on the pool. */
  #em(): EntityManager {
    const trx = this.#lockTransaction.getStore();
    return trx ? trx.fork({ keepTransactionContext: true }) : this.#orm.em.fork();
  }
}
