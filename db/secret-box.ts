import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals secrets at rest with AES-256-GCM under APP_SECRET_KEY. The sealed form is
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). During a key rotation the box also holds the previous
 * key (APP_SECRET_KEY_PREVIOUS): it opens what either key sealed, and always seals with the current
 * one; `isStale` tells what still needs re-sealing (db/secret-reseal.ts does it at API start).
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #previous: readonly Buffer[];

  /** Takes the 32 raw key bytes (see `decodeSecretKey` in config.ts), and any previous keys. */
  constructor(key: Buffer, previous: ReadonlyArray<Buffer | null | undefined> = []) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = key;
    this.#previous = previous.filter((k): k is Buffer => Boolean(k));
    if (this.#previous.some((k) => k.length !== 32)) throw new Error('SecretBox needs 32-byte previous keys');
  }

  /** Encrypts a secret for storage. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** Decrypts a sealed secret; throws if no known key sealed it or it was tampered with. */
  open(sealed: string): string {
    const opened = this.#open(sealed);
    if (opened === null) throw new Error('Cannot open a stored secret: APP_SECRET_KEY differs from the key it was sealed with');
    return opened.plain;
  }

  /** True when `sealed` opens only with a previous key, so it should be sealed again under the current one. */
  isStale(sealed: string): boolean {
    const opened = this.#open(sealed);
    return opened !== null && !opened.current;
  }

  #open(sealed: string): { plain: string; current: boolean } | null {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('Not a sealed secret (expected v1.<iv>.<tag>.<ciphertext>)');
    }
    for (const [index, key] of [this.#key, ...this.#previous].entries()) {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        return { plain, current: index === 0 };
      } catch {
        // Not this key: GCM's tag tells keys apart, so trying the next one is safe.
      }
    }
    return null;
  }
}
