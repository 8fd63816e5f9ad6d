import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals secrets at rest with AES-256-GCM under APP_SECRET_KEY. The sealed form is
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), so a key rotation can add `v2` beside it.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** Takes the 32 raw key bytes (see `decodeSecretKey` in config.ts). */
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = key;
  }

  /** Encrypts a secret for storage. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** Decrypts a sealed secret; throws if it was sealed under another key or tampered with. */
  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('Not a sealed secret (expected v1.<iv>.<tag>.<ciphertext>)');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('Cannot open a stored secret: APP_SECRET_KEY differs from the key it was sealed with');
    }
  }
}
