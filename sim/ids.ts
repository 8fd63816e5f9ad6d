import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A deterministic PRNG (mulberry32): the same seed always seeds the same demo data. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `len` alphanumeric characters from a random source (crypto when none given). */
export function alnum(len: number, rng?: () => number): string {
  let out = '';
  if (rng) {
    for (let i = 0; i < len; i++) out += ALNUM[Math.floor(rng() * ALNUM.length)];
    return out;
  }
  const bytes = randomBytes(len);
  for (let i = 0; i < len; i++) out += ALNUM[bytes[i]! % ALNUM.length];
  return out;
}

/** An external_userid shaped like WeCom's (`wm` + 30 chars). */
export function externalUserId(rng?: () => number): string {
  return `wm${alnum(30, rng)}`;
}

/** A contact-way config_id shaped like WeCom's (32 hex chars). */
export function configId(): string {
  return randomBytes(16).toString('hex');
}

/** A group-message msgid shaped like WeCom's (`msg` + 22 chars). */
export function groupMsgId(): string {
  return `msg${alnum(22)}`;
}

/** An opaque random token of `len` characters. */
export function opaque(len: number): string {
  return alnum(len);
}
