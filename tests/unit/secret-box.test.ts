import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../db/secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips Chinese and long secrets, and never seals the same secret twice the same way', () => {
    for (const secret of ['', '企业微信密钥', 'x'.repeat(4096)]) expect(box.open(box.seal(secret))).toBe(secret);
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a sealed value that was tampered with', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => box.open([parts[0], parts[1], parts[2], body.toString('base64url')].join('.'))).toThrow(/APP_SECRET_KEY differs/);
  });

  it('during a key rotation, opens what the previous key sealed, seals with the new one, and tells which values are stale', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedBefore = new SecretBox(oldKey).seal('corp-secret');
    const rotating = new SecretBox(newKey, [oldKey]);
    expect(rotating.open(sealedBefore)).toBe('corp-secret');
    expect(rotating.isStale(sealedBefore)).toBe(true);
    const sealedAfter = rotating.seal('corp-secret');
    expect(rotating.isStale(sealedAfter)).toBe(false);
    expect(new SecretBox(newKey).open(sealedAfter)).toBe('corp-secret');
    expect(() => new SecretBox(newKey).open(sealedBefore)).toThrow(/APP_SECRET_KEY differs/);
  });

  it('says what it expected when given something that is not sealed', () => {
    expect(() => box.open('plain-text-secret')).toThrow(/Not a sealed secret/);
  });
});
