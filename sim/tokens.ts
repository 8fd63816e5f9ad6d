import { opaque } from './ids.ts';
import { wecomError } from './errors.ts';

type TokenRecord = { token: string; expiresAt: number; revoked: boolean };

/** Access tokens of the one simulated app: issued by gettoken, expiring, revocable. */
export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  private current: TokenRecord | undefined;
  private readonly now: () => number;
  private readonly ttlSeconds: () => number;

  constructor(now: () => number, ttlSeconds: () => number) {
    this.now = now;
    this.ttlSeconds = ttlSeconds;
  }

  /** WeCom hands back the same token while it is valid, and a new one after expiry or revocation. */
  issue(): { access_token: string; expires_in: number } {
    const now = this.now();
    const cur = this.current;
    if (cur && !cur.revoked && cur.expiresAt > now) {
      return { access_token: cur.token, expires_in: Math.ceil((cur.expiresAt - now) / 1000) };
    }
    const ttl = this.ttlSeconds();
    const rec: TokenRecord = { token: opaque(64), expiresAt: now + ttl * 1000, revoked: false };
    this.tokens.set(rec.token, rec);
    this.current = rec;
    return { access_token: rec.token, expires_in: ttl };
  }

  /** Throws the WeCom error for a missing (41001), unknown/revoked (40014) or expired (42001) token. */
  check(token: string | undefined): void {
    if (!token) throw wecomError('missingToken');
    const rec = this.tokens.get(token);
    if (!rec || rec.revoked) throw wecomError('invalidToken');
    if (rec.expiresAt <= this.now()) throw wecomError('tokenExpired');
  }

  /** Revokes every token issued so far (WeCom may invalidate one early); returns how many were live. */
  revokeAll(): number {
    let n = 0;
    for (const rec of this.tokens.values()) if (!rec.revoked) { rec.revoked = true; n++; }
    return n;
  }

  /** Makes every issued token expire now (without waiting for the TTL). */
  expireAll(): void {
    const now = this.now();
    for (const rec of this.tokens.values()) rec.expiresAt = Math.min(rec.expiresAt, now);
  }

  /** Forgets every token. */
  clear(): void {
    this.tokens.clear();
    this.current = undefined;
  }

  /** Token status for the control API (never the secret). */
  view(): { token: string; expiresAt: number; revoked: boolean }[] {
    return [...this.tokens.values()].map((r) => ({ ...r }));
  }
}
