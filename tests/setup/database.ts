import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import { openOrm } from '../../db/orm.ts';

/** A database of one's own for a test file, cloned from the migrated template in milliseconds. */
export interface TestDatabase {
  url: string;
  orm: MikroORM;
  drop(): Promise<void>;
}

/** Clones the migrated template database so each test file starts from a clean, current schema. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const templateUrl = inject('templateDatabaseUrl');
  const name = `clinic_test_${randomBytes(4).toString('hex')}`;
  const admin = await openOrm(templateUrl.replace(/\/[^/]+$/, '/postgres'), { poolMax: 1 });
  const template = new URL(templateUrl).pathname.slice(1);
  await admin.em.getConnection().execute(`create database "${name}" template "${template}"`);
  const url = templateUrl.replace(/\/[^/]+$/, `/${name}`);
  const orm = await openOrm(url);
  return {
    url,
    orm,
    async drop() {
      await orm.close();
      await admin.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
      await admin.close();
    },
  };
}
