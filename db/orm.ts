import { MikroORM, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities/index.ts';

const migrationsPath = new URL('./migrations', import.meta.url).pathname;

/** MikroORM options for one PostgreSQL URL; migrations are committed TypeScript files in db/migrations. */
export function ormConfig(databaseUrl: string, options: { debug?: boolean; poolMax?: number } = {}) {
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    debug: options.debug ?? false,
    pool: { min: 0, max: options.poolMax ?? 10 },
    // SQL functions (e.g. the one behind wework_customers.lost) are written in migrations by hand;
    // the schema diff must not propose dropping them.
    schemaGenerator: { ignoreRoutines: true },
    migrations: {
      path: migrationsPath,
      pathTs: migrationsPath,
      glob: '!(*.d).ts',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
  });
}

/** Opens the ORM (connects the pool); callers fork `orm.em` per request or activity. */
export async function openOrm(databaseUrl: string, options: { debug?: boolean; poolMax?: number } = {}): Promise<MikroORM> {
  return MikroORM.init(ormConfig(databaseUrl, options));
}

/** A lock id shared by every process that migrates, so two starting at once take turns. */
const MIGRATION_LOCK_ID = 724_001;

/** Applies pending migrations under a PostgreSQL advisory lock; returns the names applied. */
export async function migrateToLatest(orm: MikroORM): Promise<string[]> {
  const connection = orm.em.getConnection();
  return connection.transactional(async (trx) => {
    await connection.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_ID], 'all', trx);
    const applied = await orm.migrator.up({ transaction: trx });
    return applied.map((migration) => migration.name);
  });
}

export type { MikroORM };
