/**
 * Why an incoming WeCom callback was rejected. Each failure has its own class and `code`, so the
 * callback route can log precisely and answer with the right status without string matching.
 */

/** Stable codes of callback rejections. */
export type CallbackErrorCode =
  | 'bad_signature'
  | 'bad_padding'
  | 'bad_ciphertext'
  | 'wrong_receive_id'
  | 'malformed_xml'
  | 'bad_aes_key';

/** Base class of every callback rejection. */
export class CallbackError extends Error {
  readonly code: CallbackErrorCode;

  constructor(code: CallbackErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** msg_signature does not match sha1(sort(token, timestamp, nonce, encrypt)). */
export class BadSignatureError extends CallbackError {
  constructor() {
    super('bad_signature', 'msg_signature does not match: wrong Token or a forged request');
  }
}

/** The decrypted block does not end in valid PKCS#7 padding to a 32-byte block. */
export class BadPaddingError extends CallbackError {
  constructor(detail: string) {
    super('bad_padding', `invalid PKCS#7 padding: ${detail}`);
  }
}

/** The ciphertext is not base64, not whole AES blocks, truncated, or its length field is impossible. */
export class BadCiphertextError extends CallbackError {
  constructor(detail: string) {
    super('bad_ciphertext', `malformed ciphertext: ${detail}`);
  }
}

/** The message decrypted but was addressed to another CorpID (or EncodingAESKey belongs elsewhere). */
export class WrongReceiveIdError extends CallbackError {
  readonly receivedId: string;

  constructor(receivedId: string) {
    super('wrong_receive_id', `message addressed to receive id "${receivedId}", not this corp`);
    this.receivedId = receivedId;
  }
}

/** The callback body is not the XML envelope WeCom sends, or lacks <Encrypt>. */
export class MalformedXmlError extends CallbackError {
  constructor(detail: string) {
    super('malformed_xml', `malformed callback XML: ${detail}`);
  }
}

/** The configured EncodingAESKey is not 43 base64 characters encoding 32 bytes. */
export class BadAesKeyError extends CallbackError {
  constructor() {
    super('bad_aes_key', 'EncodingAESKey must be 43 characters of base64 that decode to 32 bytes');
  }
}
