import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeworkConfig } from '../../db/entities/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { resealWeworkSecrets } from '../../db/secret-reseal.ts';
import { saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('rotating APP_SECRET_KEY', () => {
  it('re-seals the stored WeCom secrets under the new key at start, so the old key can be dropped afterwards', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await saveWeworkCredentials(db.orm.em.fork(), new SecretBox(oldKey), {
      corpId: DEMO_OPTIONS.corpId, corpSecret: DEMO_OPTIONS.corpSecret, agentId: DEMO_OPTIONS.agentId,
      token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
    });

    expect(await resealWeworkSecrets(db.orm.em.fork(), new SecretBox(newKey, [oldKey]))).toBe(3);
    // A second start finds nothing left to do.
    expect(await resealWeworkSecrets(db.orm.em.fork(), new SecretBox(newKey, [oldKey]))).toBe(0);

    const row = await db.orm.em.fork().findOneOrFail(WeworkConfig, { corpId: DEMO_OPTIONS.corpId });
    const newOnly = new SecretBox(newKey);
    expect(newOnly.open(row.corpSecretSealed)).toBe(DEMO_OPTIONS.corpSecret);
    expect(newOnly.open(row.tokenSealed)).toBe(DEMO_OPTIONS.token);
    expect(newOnly.open(row.encodingAesKeySealed)).toBe(DEMO_OPTIONS.encodingAesKey);
    expect(() => new SecretBox(oldKey).open(row.corpSecretSealed)).toThrow(/APP_SECRET_KEY differs/);
  });
});
