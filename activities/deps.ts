import type { MikroORM } from '@mikro-orm/postgresql';

/** What activities are given by the worker: shared clients, never per-call state. */
export interface ActivityDeps {
  orm: MikroORM;
}
