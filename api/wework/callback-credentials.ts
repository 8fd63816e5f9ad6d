import type { EntityManager } from '@mikro-orm/postgresql';
import type { SecretBox } from '../../db/secret-box.ts';
import { findWeworkConfigRow } from '../../db/wework-token.store.ts';
import { CallbackCrypto } from '../../wecom/callback-crypto.ts';

/** Supplies the callback crypto of the current WeCom configuration, or null when there is none. */
export interface CallbackCryptoSource {
  get(): Promise<CallbackCrypto | null>;
}

/**
 * Reads the callback Token and EncodingAESKey (sealed in wework_config) and keeps the resulting
 * crypto for a few seconds: WeCom may deliver hundreds of events a second, and a changed
 * configuration takes effect within `ttlMs`.
 */
export function createCallbackCryptoSource(options: { em: () => EntityManager; box: SecretBox; ttlMs?: number }): CallbackCryptoSource {
  const ttlMs = options.ttlMs ?? 5_000;
  let cached: { crypto: CallbackCrypto | null; at: number } | null = null;
  let loading: Promise<CallbackCrypto | null> | null = null;
  const load = async () => {
    const row = await findWeworkConfigRow(options.em());
    const crypto = row
      ? new CallbackCrypto({ token: options.box.open(row.tokenSealed), encodingAesKey: options.box.open(row.encodingAesKeySealed), receiveId: row.corpId })
      : null;
    cached = { crypto, at: Date.now() };
    return crypto;
  };
  return {
    async get() {
      if (cached && Date.now() - cached.at < ttlMs) return cached.crypto;
      // One database read at a time, however many deliveries arrive together.
      loading ??= load().finally(() => { loading = null; });
      return loading;
    },
  };
}
