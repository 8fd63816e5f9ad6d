import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS: its namespaces come through the default export under ESM.
const PayloadMessage = proto.temporal.api.common.v1.Payload;

/** The `encoding` metadata of an encrypted payload (the convention of Temporal's encryption samples). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was encrypted with, so keys can rotate. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = Buffer.from('clinic-wecom/temporal-payloads');

/** One derived payload key and its public id. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

/**
 * Derives the payload key from APP_SECRET_KEY with HKDF-SHA256, so the key that seals secrets in
 * the database is never used directly for Temporal payloads. The id is derived separately: it
 * names the key in every payload's metadata without revealing anything about it.
 */
export function derivePayloadKey(appSecretKey: Buffer): CodecKey {
  if (appSecretKey.length !== 32) throw new Error('The payload codec needs APP_SECRET_KEY\'s 32 bytes');
  const key = Buffer.from(hkdfSync('sha256', appSecretKey, HKDF_SALT, 'temporal payload aes-256-gcm v1', 32));
  const id = Buffer.from(hkdfSync('sha256', appSecretKey, HKDF_SALT, 'temporal payload key id v1', 6)).toString('hex');
  return { id, key };
}

/** Raised when a payload cannot be decrypted: unknown key, wrong key or tampered bytes. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * AES-256-GCM payload codec. Encodes with the current key; decodes with the current or any
 * previous key (named by the payload's key id). Payloads that were never encrypted (histories
 * from before the codec) pass through decode unchanged, so running workflows keep replaying.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  readonly #current: CodecKey;
  readonly #keys: Map<string, Buffer>;

  /** `current` and `previous` are raw 32-byte APP_SECRET_KEYs; each is derived with derivePayloadKey. */
  constructor(options: { current: Buffer; previous?: readonly Buffer[] }) {
    this.#current = derivePayloadKey(options.current);
    this.#keys = new Map([this.#current, ...(options.previous ?? []).map(derivePayloadKey)].map((k) => [k.id, k.key]));
  }

  /** The id written into new payloads. */
  get currentKeyId(): string {
    return this.#current.id;
  }

  /** Encrypts each whole payload (metadata included) into a new one that says only which key. */
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
      cipher.setAAD(additionalData(this.#current.id));
      const plain = PayloadMessage.encode(payload).finish();
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          encoding: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.#current.id),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  /** Decrypts payloads this codec (under any known key) encrypted; others pass through. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.#keys.get(keyId);
      if (!key) throw new PayloadDecryptionError(`Payload encrypted with unknown key id "${keyId}": set APP_SECRET_KEY_PREVIOUS to the key it was written with`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('Encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(additionalData(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError('Encrypted payload failed authentication (tampered, or written with another key)');
      }
      return PayloadMessage.decode(plain);
    });
  }
}

/** Binds the ciphertext to its metadata: changing the key id or encoding breaks authentication. */
function additionalData(keyId: string): Buffer {
  return Buffer.from(`${ENCRYPTED_ENCODING};${keyId}`);
}
