import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWeworkConfigFromEnv } from '../../api/wework/seed-config.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { findWeworkConfigRow } from '../../db/wework-token.store.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

let db: TestDatabase;
const box = new SecretBox(randomBytes(32));
const ENV = {
  WECOM_CORP_ID: 'ww_seeded', WECOM_CORP_SECRET: 'secret-from-the-environment', WECOM_AGENT_ID: '1000002',
  WECOM_TOKEN: 'callback-token', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

describe('WECOM_* at start', () => {
  it('seeds an empty configuration, and never reverts a Secret rotated in the dashboard', async () => {
    const lines: string[] = [];
    const logger = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    expect(await seedWeworkConfigFromEnv(ENV, db.orm.em.fork(), box, logger)).toBe('seeded');
    expect(await seedWeworkConfigFromEnv(ENV, db.orm.em.fork(), box, logger)).toBe('same-as-stored');

    // An admin rotates the Secret in the dashboard; the API restarts with the old environment.
    const row = (await findWeworkConfigRow(db.orm.em.fork()))!;
    await db.orm.em.getConnection().execute('update wework_config set corp_secret_sealed = ? where id = ?', [box.seal('rotated-in-the-dashboard'), row.id]);
    expect(await seedWeworkConfigFromEnv(ENV, db.orm.em.fork(), box, logger)).toBe('stored-kept');
    expect(box.open((await findWeworkConfigRow(db.orm.em.fork()))!.corpSecretSealed)).toBe('rotated-in-the-dashboard');
    const warning = lines.at(-1)!;
    expect(warning).toMatch(/corpSecret/);
    expect(warning).not.toContain('secret-from-the-environment');
    expect(warning).not.toContain('rotated-in-the-dashboard');
  });
});
