import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError } from '../../encryption/payload-codec.ts';

const onboardingInput = { version: 1, kind: 'add_external_contact', externalUserId: 'wmABC', userId: 'zhangsan', name: '孙七' };
const plain = () => defaultPayloadConverter.toPayload(onboardingInput)!;
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('the Temporal payload codec (AES-256-GCM under a key derived from APP_SECRET_KEY)', () => {
  it('round-trips a payload, and the encoded form shows neither the data nor its JSON encoding', async () => {
    const codec = new AesGcmPayloadCodec({ current: randomBytes(32) });
    const [encoded] = await codec.encode([plain()]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe(codec.currentKeyId);
    expect(Object.keys(encoded!.metadata!)).toEqual(['encoding', KEY_ID_METADATA]);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('wmABC');
    expect(text(encoded!.data)).not.toContain('孙七');

    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(onboardingInput);
  });

  it('encrypts the same payload differently each time (fresh IV)', async () => {
    const codec = new AesGcmPayloadCodec({ current: randomBytes(32) });
    const [a] = await codec.encode([plain()]);
    const [b] = await codec.encode([plain()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('refuses a tampered payload, and one whose key id was swapped', async () => {
    const codec = new AesGcmPayloadCodec({ current: randomBytes(32) });
    const [encoded] = await codec.encode([plain()]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[20] = flipped[20]! ^ 0x01;
    await expect(codec.decode([{ ...encoded!, data: flipped }])).rejects.toThrow(PayloadDecryptionError);

    const other = new AesGcmPayloadCodec({ current: randomBytes(32) });
    await expect(other.decode([encoded!])).rejects.toThrow(/unknown key id/);
  });

  it('after a key rotation, decodes payloads written under the previous key and encodes with the new one', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new AesGcmPayloadCodec({ current: oldKey });
    const [written] = await before.encode([plain()]);

    const rotated = new AesGcmPayloadCodec({ current: newKey, previous: [oldKey] });
    expect(rotated.currentKeyId).not.toBe(before.currentKeyId);
    const [decoded] = await rotated.decode([written!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(onboardingInput);
    const [rewritten] = await rotated.encode([plain()]);
    expect(text(rewritten!.metadata![KEY_ID_METADATA])).toBe(rotated.currentKeyId);

    // Without the previous key, the old payload is unreadable: the variable is what makes rotation safe.
    await expect(new AesGcmPayloadCodec({ current: newKey }).decode([written!])).rejects.toThrow(/APP_SECRET_KEY_PREVIOUS/);
  });

  it('passes payloads that were never encrypted through decode, so histories from before the codec still replay', async () => {
    const codec = new AesGcmPayloadCodec({ current: randomBytes(32) });
    const [decoded] = await codec.decode([plain()]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(onboardingInput);
  });
});
