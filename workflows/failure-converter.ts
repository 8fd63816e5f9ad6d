import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (worker and clients, see encryption/data-converter.ts) and bundled into the
 * workflow sandbox: failure messages and stack traces go into the encoded attributes payload,
 * which the payload codec encrypts, instead of sitting in the history as plain text.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
