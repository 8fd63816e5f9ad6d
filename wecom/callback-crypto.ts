import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  BadAesKeyError,
  BadCiphertextError,
  BadPaddingError,
  BadSignatureError,
  MalformedXmlError,
  WrongReceiveIdError,
} from './callback-errors.ts';
import { parseXmlRoot, xmlText } from './xml.ts';

// WeCom pads to 32 bytes, not AES's 16, so Node's automatic PKCS#7 handling cannot be used.
const BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The settings of one app's callback ("接收消息" in the admin console). */
export type CallbackCryptoOptions = {
  token: string;
  encodingAesKey: string;
  /** The CorpID: every message must be addressed to it. */
  receiveId: string;
};

/** A decrypted callback payload. */
export type DecryptedPayload = {
  message: string;
  /** The sender's 16 random bytes; re-encrypting with them reproduces the ciphertext exactly. */
  random: Buffer;
  receiveId: string;
};

/** Query parameters of the GET URL check, with echostr already URL-decoded by the router. */
export type UrlVerificationParams = { msgSignature: string; timestamp: string; nonce: string; echostr: string };

/** Query parameters and raw body of an event POST. */
export type CallbackPostParams = { msgSignature: string; timestamp: string; nonce: string; body: string };

/** An event POST after verification and decryption. */
export type DecryptedCallback = {
  /** The decrypted inner XML, ready for `parseCallbackEvent`. */
  xml: string;
  toUserName: string | undefined;
  agentId: string | undefined;
};

/** An encrypted POST as WeCom would send it (for the simulator and tests). */
export type EncryptedCallback = { msgSignature: string; timestamp: string; nonce: string; body: string };

/** Computes WeCom's msg_signature: sha1 over the four values sorted as plain strings, lowercase hex. */
export function computeSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  const joined = [token, timestamp, nonce, encrypt].sort().join('');
  return createHash('sha1').update(joined).digest('hex');
}

function decodeAesKey(encodingAesKey: string): Buffer {
  if (encodingAesKey.length !== 43 || !BASE64.test(encodingAesKey)) throw new BadAesKeyError();
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new BadAesKeyError();
  return key;
}

function escapeCdata(text: string): string {
  // "]]>" would end the CDATA section early; split it across two sections.
  return text.replaceAll(']]>', ']]]]><![CDATA[>');
}

/** Verifies, decrypts and encrypts WeCom callback messages for one app. */
export class CallbackCrypto {
  readonly #token: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;
  readonly #receiveId: string;

  constructor(options: CallbackCryptoOptions) {
    this.#token = options.token;
    this.#key = decodeAesKey(options.encodingAesKey);
    this.#iv = this.#key.subarray(0, 16);
    this.#receiveId = options.receiveId;
  }

  /** Throws BadSignatureError unless `msgSignature` signs (timestamp, nonce, encrypt) with our token. */
  verifySignature(msgSignature: string, timestamp: string, nonce: string, encrypt: string): void {
    const expected = Buffer.from(computeSignature(this.#token, timestamp, nonce, encrypt), 'utf8');
    const given = Buffer.from(msgSignature.toLowerCase(), 'utf8');
    // timingSafeEqual needs equal lengths; a length mismatch leaks nothing useful.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new BadSignatureError();
  }

  /** Decrypts a base64 `Encrypt` value; checks padding, the length field and the receive id. */
  decrypt(encrypt: string): DecryptedPayload {
    if (encrypt.length === 0 || encrypt.length % 4 !== 0 || !BASE64.test(encrypt)) {
      throw new BadCiphertextError('not canonical base64');
    }
    const cipherBytes = Buffer.from(encrypt, 'base64');
    if (cipherBytes.length === 0 || cipherBytes.length % BLOCK !== 0) {
      throw new BadCiphertextError(`${cipherBytes.length} bytes is not a whole number of 32-byte blocks`);
    }
    const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);

    const pad = padded[padded.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK) throw new BadPaddingError(`pad byte ${pad} outside 1..32`);
    for (let i = padded.length - pad; i < padded.length; i++) {
      if (padded[i] !== pad) throw new BadPaddingError('pad bytes differ');
    }
    const plain = padded.subarray(0, padded.length - pad);

    if (plain.length < RANDOM_BYTES + LENGTH_BYTES) throw new BadCiphertextError('too short for a message header');
    const messageLength = plain.readUInt32BE(RANDOM_BYTES);
    const messageEnd = RANDOM_BYTES + LENGTH_BYTES + messageLength;
    if (messageEnd > plain.length) {
      throw new BadCiphertextError(`length field ${messageLength} exceeds the ${plain.length}-byte plaintext`);
    }
    const receiveId = plain.subarray(messageEnd).toString('utf8');
    if (receiveId !== this.#receiveId) throw new WrongReceiveIdError(receiveId);
    return {
      message: plain.subarray(RANDOM_BYTES + LENGTH_BYTES, messageEnd).toString('utf8'),
      random: Buffer.from(plain.subarray(0, RANDOM_BYTES)),
      receiveId,
    };
  }

  /** Encrypts a message the way WeCom does; pass `random` (16 bytes) to make the output deterministic. */
  encrypt(message: string, random: Buffer = randomBytes(RANDOM_BYTES)): string {
    if (random.length !== RANDOM_BYTES) throw new RangeError('random prefix must be 16 bytes');
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32BE(body.length);
    const unpadded = Buffer.concat([random, length, body, Buffer.from(this.#receiveId, 'utf8')]);
    const pad = BLOCK - (unpadded.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([unpadded, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
      'base64',
    );
  }

  /** GET URL verification: verifies the signature and returns the plaintext echostr to answer with. */
  verifyUrl(params: UrlVerificationParams): string {
    // Base64 has no spaces: a space can only be a "+" that a form-style decoder turned into one.
    const echostr = params.echostr.replaceAll(' ', '+');
    this.verifySignature(params.msgSignature, params.timestamp, params.nonce, echostr);
    return this.decrypt(echostr).message;
  }

  /** Event POST: parses the envelope, verifies the signature over <Encrypt>, and decrypts it. */
  decryptCallback(params: CallbackPostParams): DecryptedCallback {
    const envelope = parseXmlRoot(params.body);
    if (envelope === null) throw new MalformedXmlError('not an <xml> document');
    const encrypt = xmlText(envelope, 'Encrypt');
    if (encrypt === undefined || encrypt === '') throw new MalformedXmlError('no <Encrypt> element');
    this.verifySignature(params.msgSignature, params.timestamp, params.nonce, encrypt);
    const { message } = this.decrypt(encrypt);
    return { xml: message, toUserName: xmlText(envelope, 'ToUserName'), agentId: xmlText(envelope, 'AgentID') };
  }

  /** Builds an encrypted event POST exactly as WeCom delivers one (for the simulator and tests). */
  encryptCallback(
    message: string,
    options: { timestamp: string; nonce: string; agentId?: string; random?: Buffer },
  ): EncryptedCallback {
    const encrypt = this.encrypt(message, options.random);
    const agent = options.agentId === undefined ? '' : `<AgentID><![CDATA[${escapeCdata(options.agentId)}]]></AgentID>`;
    const body = `<xml><ToUserName><![CDATA[${escapeCdata(this.#receiveId)}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt>${agent}</xml>`;
    return {
      msgSignature: computeSignature(this.#token, options.timestamp, options.nonce, encrypt),
      timestamp: options.timestamp,
      nonce: options.nonce,
      body,
    };
  }

  /** Builds an encrypted passive reply (<Encrypt>, <MsgSignature>, <TimeStamp>, <Nonce>). */
  encryptReply(message: string, options: { timestamp: string; nonce: string; random?: Buffer }): string {
    const encrypt = this.encrypt(message, options.random);
    const signature = computeSignature(this.#token, options.timestamp, options.nonce, encrypt);
    return `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature><TimeStamp>${options.timestamp}</TimeStamp><Nonce><![CDATA[${escapeCdata(options.nonce)}]]></Nonce></xml>`;
  }
}
