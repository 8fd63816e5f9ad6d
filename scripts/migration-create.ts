/**
 * Writes a new migration to db/migrations: the difference between the entities and the schema
 * that the committed migrations build. Runs against a throw-away embedded PostgreSQL.
 */
import { rmSync } from 'node:fs';
import { openOrm, migrateToLatest } from '../db/orm.ts';
import { freePort } from './lib/ports.ts';
import { startEmbeddedPostgres } from './lib/embedded-postgres.ts';

const dataDir = '.cache/migration-postgres';
rmSync(dataDir, { recursive: true, force: true });
const database = await startEmbeddedPostgres({ dataDir, port: await freePort() });
try {
  const orm = await openOrm(database.url);
  await migrateToLatest(orm);
  const initial = (await orm.migrator.getExecuted()).length === 0;
  const result = await orm.migrator.create(undefined, false, initial, process.argv[2]);
  console.log(result.diff.up.length === 0 ? 'No changes: the entities match the migrations.' : `Wrote db/migrations/${result.fileName}`);
  await orm.close();
} finally {
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
