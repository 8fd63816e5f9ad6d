import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec } from './payload-codec.ts';

/** The module exporting the failure converter that encodes messages and stack traces. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('../workflows/failure-converter.ts', import.meta.url));

/** APP_SECRET_KEY and, during a rotation, the key before it (APP_SECRET_KEY_PREVIOUS). */
export interface PayloadKeys {
  current: Buffer;
  previous?: Buffer | null;
}

/** The payload codec for these keys (also behind the API's codec endpoint for the Temporal UI). */
export function payloadCodec(keys: PayloadKeys): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec({ current: keys.current, previous: keys.previous ? [keys.previous] : [] });
}

/**
 * The data converter every Temporal client and worker of the product uses: payloads (inputs,
 * results, signals, memos, failure details) are AES-256-GCM ciphertext in Temporal's histories,
 * and so are failure messages and stacks. Search attributes stay plain (they must be queryable).
 */
export function encryptedDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}
