import { Migration } from '@mikro-orm/migrations';

/**
 * "Lost since this sync" by generation instead of comparing updated_at with the sync's start: every
 * relationship a sync sees carries the sync's generation number.
 */
export class Migration20261211000100_sync_generation extends Migration {

  override name = 'Migration20261211000100_sync_generation';

  override up(): void | Promise<void> {
    this.addSql(`create table "sync_generations" ("generation" bigserial primary key, "run_key" varchar(255) not null, "started_at" timestamptz not null, "completed_at" timestamptz null);`);
    this.addSql(`alter table "sync_generations" add constraint "sync_generations_run_key_unique" unique ("run_key");`);
    this.addSql(`alter table "wework_customer_follows" add "sync_generation" bigint null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "wework_customer_follows" drop column "sync_generation";`);
    this.addSql(`drop table if exists "sync_generations" cascade;`);
  }

}
