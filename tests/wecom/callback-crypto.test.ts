import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CallbackCrypto, computeSignature } from '../../wecom/callback-crypto.ts';
import {
  BadAesKeyError,
  BadCiphertextError,
  BadPaddingError,
  BadSignatureError,
  MalformedXmlError,
  WrongReceiveIdError,
} from '../../wecom/callback-errors.ts';

// Official vectors (doc 91144 and WeCom's callback samples), see ../shared/wecom-test-vectors.md.
const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'wx5823bf96d3bd56c7';
const crypto = new CallbackCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: CORP_ID });

const GET = {
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostrAsSent:
    'P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D',
};

const POST_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const POST = {
  msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  body: `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${POST_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`,
};
const POST_PLAINTEXT = [
  '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>',
  '<FromUserName><![CDATA[mycreate]]></FromUserName>',
  '<CreateTime>1409659813</CreateTime>',
  '<MsgType><![CDATA[text]]></MsgType>',
  '<Content><![CDATA[hello]]></Content>',
  '<MsgId>4561255354251345929</MsgId>',
  '<AgentID>218</AgentID>',
  '</xml>',
].join('\n');

const rawKey = Buffer.from(`${AES_KEY}=`, 'base64');

/** Encrypts hand-made plaintext bytes with WeCom's key and IV, without any padding of our own. */
function rawEncrypt(plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', rawKey, rawKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function frame(message: string, receiveId: string, lengthField?: number): Buffer {
  const body = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(lengthField ?? body.length);
  return Buffer.concat([Buffer.alloc(16, 7), length, body, Buffer.from(receiveId)]);
}

function pad32(unpadded: Buffer): Buffer {
  const pad = 32 - (unpadded.length % 32);
  return Buffer.concat([unpadded, Buffer.alloc(pad, pad)]);
}

describe('official vectors', () => {
  it('answers the GET URL check with the decrypted echostr (after URL-decoding it)', () => {
    const echostr = decodeURIComponent(GET.echostrAsSent);
    expect(crypto.verifyUrl({ ...GET, echostr })).toBe('1616140317555161061');
  });

  it('decrypts the encrypted POST to the exact 284-byte plaintext', () => {
    const result = crypto.decryptCallback(POST);
    expect(result.xml).toBe(POST_PLAINTEXT);
    expect(Buffer.byteLength(result.xml)).toBe(284);
    expect(result.toUserName).toBe(CORP_ID);
    expect(result.agentId).toBe('218');
  });

  it('finds pad byte 30 at the end of the POST block (a 32-byte pad, not 16)', () => {
    // 16 random + 4 length + 284 message + 18 CorpID = 322 bytes, padded by 30 to 352.
    expect(Buffer.from(POST_ENCRYPT, 'base64').length).toBe(352);
  });

  it('re-encrypts with the recovered random prefix to the same ciphertext, byte for byte', () => {
    const decrypted = crypto.decrypt(POST_ENCRYPT);
    expect(decrypted.random.toString('latin1')).toBe('0960688932c47ef1');
    expect(crypto.encrypt(decrypted.message, decrypted.random)).toBe(POST_ENCRYPT);

    const echostr = decodeURIComponent(GET.echostrAsSent);
    const echo = crypto.decrypt(echostr);
    expect(echo.random.toString('latin1')).toBe('c41b64491c2468d0');
    expect(crypto.encrypt(echo.message, echo.random)).toBe(echostr);
  });

  it('computes the official msg_signature values', () => {
    expect(computeSignature(TOKEN, POST.timestamp, POST.nonce, POST_ENCRYPT)).toBe(POST.msgSignature);
  });
});

describe('round trip', () => {
  const random = Buffer.from('0123456789abcdef');

  it('decrypts what it encrypts for every ASCII message of 0..300 bytes, always on 32-byte blocks', () => {
    for (let n = 0; n <= 300; n++) {
      const message = Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7 + n) % 94))).join('');
      const encrypted = crypto.encrypt(message, random);
      expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
      expect(crypto.decrypt(encrypted).message).toBe(message);
    }
  });

  it('decrypts what it encrypts for Chinese text of 0..300 bytes', () => {
    const sample = '欢迎光临医美诊所预约面诊皮肤管理';
    for (let chars = 0; chars <= 100; chars++) {
      const message = Array.from({ length: chars }, (_, i) => sample[i % sample.length]).join('');
      expect(Buffer.byteLength(message)).toBe(chars * 3);
      expect(crypto.decrypt(crypto.encrypt(message)).message).toBe(message);
    }
  });

  it('builds a POST the way WeCom does, which decryptCallback accepts', () => {
    const inner = '<xml><MsgType><![CDATA[event]]></MsgType></xml>';
    const post = crypto.encryptCallback(inner, { timestamp: '1700000000', nonce: 'abc', agentId: '1000002' });
    expect(crypto.decryptCallback(post)).toEqual({ xml: inner, toUserName: CORP_ID, agentId: '1000002' });
  });

  it('produces a passive reply whose signature and ciphertext verify', () => {
    const reply = crypto.encryptReply('<xml>hi</xml>', { timestamp: '1700000000', nonce: 'n1' });
    const encrypt = /<Encrypt><!\[CDATA\[(.+?)\]\]>/.exec(reply)?.[1] ?? '';
    const signature = /<MsgSignature><!\[CDATA\[(.+?)\]\]>/.exec(reply)?.[1] ?? '';
    expect(() => crypto.verifySignature(signature, '1700000000', 'n1', encrypt)).not.toThrow();
    expect(crypto.decrypt(encrypt).message).toBe('<xml>hi</xml>');
  });
});

describe('rejections', () => {
  it('rejects a signature with one hex digit changed', () => {
    const last = POST.msgSignature.at(-1) === '0' ? '1' : '0';
    const tampered = POST.msgSignature.slice(0, -1) + last;
    expect(() => crypto.decryptCallback({ ...POST, msgSignature: tampered })).toThrow(BadSignatureError);
    const echostr = decodeURIComponent(GET.echostrAsSent);
    expect(() => crypto.verifyUrl({ ...GET, msgSignature: GET.msgSignature.replace('5c', '5d'), echostr })).toThrow(
      BadSignatureError,
    );
  });

  it('rejects the official POST verified under a different token', () => {
    const other = new CallbackCrypto({ token: 'QDG6eL', encodingAesKey: AES_KEY, receiveId: CORP_ID });
    expect(() => other.decryptCallback(POST)).toThrow(expect.objectContaining({ code: 'bad_signature' }));
  });

  it('rejects the official POST when configured for a different CorpID', () => {
    const other = new CallbackCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: 'wwanothercorp' });
    let error: unknown;
    try {
      other.decryptCallback(POST);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WrongReceiveIdError);
    expect((error as WrongReceiveIdError).code).toBe('wrong_receive_id');
    expect((error as WrongReceiveIdError).receivedId).toBe(CORP_ID);
  });

  it('rejects corrupted padding: pad byte 0, pad byte 33, and unequal pad bytes', () => {
    const unpadded = frame('hello', CORP_ID);
    const good = pad32(unpadded);
    expect(crypto.decrypt(rawEncrypt(good)).message).toBe('hello');

    const zero = Buffer.from(good);
    zero[zero.length - 1] = 0;
    const tooBig = Buffer.from(good);
    tooBig[tooBig.length - 1] = 33;
    const uneven = Buffer.from(good);
    uneven[uneven.length - 2] = (uneven[uneven.length - 1] ?? 0) + 1;
    for (const bad of [zero, tooBig, uneven]) {
      expect(() => crypto.decrypt(rawEncrypt(bad))).toThrow(BadPaddingError);
    }
  });

  it('rejects a 16-byte-padded block (what Node auto padding would produce)', () => {
    const unpadded = frame('hi', CORP_ID); // 40 bytes: Node would pad to 48, not 64
    const pad = 16 - (unpadded.length % 16);
    const nodeStyle = Buffer.concat([unpadded, Buffer.alloc(pad, pad)]);
    expect(() => crypto.decrypt(rawEncrypt(nodeStyle))).toThrow(BadCiphertextError);
  });

  it('rejects truncated or non-base64 ciphertext as bad_ciphertext', () => {
    const bytes = Buffer.from(POST_ENCRYPT, 'base64');
    const truncated = bytes.subarray(0, bytes.length - 16).toString('base64');
    expect(() => crypto.decrypt(truncated)).toThrow(expect.objectContaining({ code: 'bad_ciphertext' }));
    expect(() => crypto.decrypt('not base64!!')).toThrow(BadCiphertextError);
    expect(() => crypto.decrypt('')).toThrow(BadCiphertextError);
  });

  it('rejects a length field larger than the plaintext', () => {
    const lying = pad32(frame('hello', CORP_ID, 10_000));
    expect(() => crypto.decrypt(rawEncrypt(lying))).toThrow(BadCiphertextError);
  });

  it('rejects a body that is not XML or has no <Encrypt>', () => {
    expect(() => crypto.decryptCallback({ ...POST, body: 'hello' })).toThrow(MalformedXmlError);
    expect(() => crypto.decryptCallback({ ...POST, body: '<xml><ToUserName>x</ToUserName>' })).toThrow(
      MalformedXmlError,
    );
    expect(() => crypto.decryptCallback({ ...POST, body: '<xml><ToUserName>x</ToUserName></xml>' })).toThrow(
      expect.objectContaining({ code: 'malformed_xml' }),
    );
  });

  it('refuses an EncodingAESKey that is not 43 base64 characters', () => {
    expect(() => new CallbackCrypto({ token: TOKEN, encodingAesKey: AES_KEY.slice(1), receiveId: CORP_ID })).toThrow(
      BadAesKeyError,
    );
  });
});
