import { Migration } from '@mikro-orm/migrations';

/** Bulk tag changes and their frozen customers (one row per customer, handled in customer-id order). */
export class Migration20261212010100_bulk_tags extends Migration {

  override name = 'Migration20261212010100_bulk_tags';

  override up(): void | Promise<void> {
    this.addSql(`create table "bulk_tag_jobs" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null,
      "requested_by" int null, "add_tag_ids" jsonb not null default '[]', "remove_tag_ids" jsonb not null default '[]', "filter" jsonb null,
      "status" varchar(16) not null default 'running', "total" int not null default 0, "done" int not null default 0, "failed" int not null default 0,
      "failed_by_reason" jsonb not null default '{}', "workflow_id" varchar(200) not null, "run_id" varchar(64) null, "finished_at" timestamptz null);`);
    this.addSql(`create table "bulk_tag_items" ("job_id" int not null, "customer_id" int not null, "state" varchar(16) not null default 'pending',
      "reason" varchar(40) null, primary key ("job_id", "customer_id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "bulk_tag_items" cascade;`);
    this.addSql(`drop table if exists "bulk_tag_jobs" cascade;`);
  }

}
