import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateToLatest, openOrm } from '../../db/orm.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { WeworkConfig, WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { readWeworkConfigSummary, saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

describe('committed migrations', () => {
  it('create the seed tables and the ones the product adds', async () => {
    const rows: Array<{ table_name: string }> = await db.orm.em.getConnection().execute(
      "select table_name from information_schema.tables where table_schema = 'public'",
    );
    const tables = rows.map((row) => row.table_name);
    for (const table of [
      'wework_config', 'wework_contact_ways', 'wework_customers', 'wework_messages', 'wework_callback_logs',
      'wework_staff', 'wework_customer_follows', 'leads', 'tags', 'lead_tags', 'wework_customer_tags', 'dashboard_users',
    ]) expect(tables).toContain(table);
  });

  it('match the entities exactly (no pending schema change left uncommitted)', async () => {
    const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('are applied once when two processes start at the same moment', async () => {
    const admin = await openOrm(db.url, { poolMax: 1 });
    const name = `clinic_race_${randomBytes(3).toString('hex')}`;
    await admin.em.getConnection().execute(`create database "${name}"`);
    const url = db.url.replace(/\/[^/]+$/, `/${name}`);
    const [a, b] = await Promise.all([openOrm(url), openOrm(url)]);
    try {
      const [appliedA, appliedB] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
      expect([appliedA.length, appliedB.length].sort()).toEqual([0, (await a.migrator.getExecuted()).length]);
      expect(appliedA.length + appliedB.length).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
      await admin.em.getConnection().execute(`drop database "${name}" with (force)`);
      await admin.close();
    }
  });
});

describe('customer follow relationship', () => {
  it('lets two staff members follow one customer, but not the same one twice', async () => {
    const em = db.orm.em.fork();
    const customer = em.create(WeworkCustomer, { externalUserid: 'wmFollowedTwice', name: '李四' });
    em.create(WeworkCustomerFollow, { customer, staffUserid: 'zhangsan', state: 'xiaohongshu', addWay: 1 });
    em.create(WeworkCustomerFollow, { customer, staffUserid: 'wangwu', state: 'douyin', addWay: 1 });
    await em.flush();

    const reloaded = await db.orm.em.fork().findOneOrFail(WeworkCustomer, { externalUserid: 'wmFollowedTwice' }, { populate: ['follows'] });
    expect(reloaded.follows.getItems().map((follow) => follow.staffUserid).sort()).toEqual(['wangwu', 'zhangsan']);

    const again = db.orm.em.fork();
    again.create(WeworkCustomerFollow, { customer: reloaded.id, staffUserid: 'zhangsan' });
    await expect(again.flush()).rejects.toThrow(/unique/i);
  });
});

describe('WeCom credentials at rest', () => {
  const key = randomBytes(32);
  const credentials = {
    corpId: 'ww_rest_test', corpSecret: 'plain-secret-must-not-be-stored', agentId: '1000002',
    token: 'callbackTokenValue', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  };

  it('are never stored in plain text and read back only with the key', async () => {
    await saveWeworkCredentials(db.orm.em.fork(), new SecretBox(key), credentials);
    const [row]: Array<{ dump: string }> = await db.orm.em.getConnection().execute('select row_to_json(c)::text as dump from wework_config c');
    expect(row!.dump).toContain('ww_rest_test');
    for (const secret of [credentials.corpSecret, credentials.token, credentials.encodingAesKey]) expect(row!.dump).not.toContain(secret);

    const stored = await db.orm.em.fork().findOneOrFail(WeworkConfig, { corpId: 'ww_rest_test' });
    expect(new SecretBox(key).open(stored.corpSecretSealed)).toBe(credentials.corpSecret);
    expect(() => new SecretBox(randomBytes(32)).open(stored.corpSecretSealed)).toThrow(/APP_SECRET_KEY differs/);
  });

  it('summarise without any secret', async () => {
    const summary = await readWeworkConfigSummary(db.orm.em.fork());
    expect(summary).toMatchObject({ configured: true, corpId: 'ww_rest_test', agentId: '1000002' });
    expect(JSON.stringify(summary)).not.toMatch(/plain-secret|callbackTokenValue|jWmYm7/);
  });

  it('forget a cached access token when the secret changes', async () => {
    const em = db.orm.em.fork();
    const box = new SecretBox(key);
    const row = await em.findOneOrFail(WeworkConfig, { corpId: 'ww_rest_test' });
    row.accessTokenSealed = box.seal('old-token');
    row.accessTokenExpiresAt = new Date(Date.now() + 3_600_000);
    await em.flush();
    await saveWeworkCredentials(db.orm.em.fork(), box, { ...credentials, corpSecret: 'a-new-secret' });
    const after = await db.orm.em.fork().findOneOrFail(WeworkConfig, { corpId: 'ww_rest_test' });
    expect(after.accessTokenSealed).toBeNull();
    expect(await db.orm.em.fork().count(WeworkConfig)).toBe(1);
  });
});

it('uses the run-wide template database provided by global setup', () => {
  expect(inject('templateDatabaseUrl')).toMatch(/^postgres:\/\//);
});
