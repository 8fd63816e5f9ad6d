import { Migration } from '@mikro-orm/migrations';

export class Migration20261125074529_customers_sync extends Migration {

  override name = 'Migration20261125074529_customers_sync';

  override up(): void | Promise<void> {
    // Trigram indexes make the customer list's substring search fast; pg_trgm is a trusted extension (PG ≥ 13).
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create table "sync_checkpoints" ("key" varchar(255) not null, "details" jsonb not null, "updated_at" timestamptz not null, primary key ("key"));`);
    this.addSql(`create index "sync_checkpoints_updated_at_index" on "sync_checkpoints" ("updated_at");`);

    this.addSql(`alter table "wework_customers" add "added_at" timestamptz null;`);
    // Customers recorded before this column: added when their first relationship began.
    this.addSql(`update "wework_customers" c set "added_at" = coalesce((select min(f."followed_at") from "wework_customer_follows" f where f."customer_id" = c."id"), c."created_at");`);
    this.addSql(`create index "wework_customers_added_at_id_index" on "wework_customers" ("added_at" desc nulls last, "id" desc);`);
    this.addSql(`create index "wework_customers_name_trgm_index" on "wework_customers" using gin ("name" gin_trgm_ops);`);
    this.addSql(`create index "wework_customers_external_userid_trgm_index" on "wework_customers" using gin ("external_userid" gin_trgm_ops);`);

    this.addSql(`create index "wework_customer_follows_customer_id_status_index" on "wework_customer_follows" ("customer_id", "status");`);
    this.addSql(`create index "wework_customer_follows_add_way_index" on "wework_customer_follows" ("add_way");`);
    this.addSql(`create index "wework_customer_follows_remark_trgm_index" on "wework_customer_follows" using gin ("remark" gin_trgm_ops);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sync_checkpoints" cascade;`);

    this.addSql(`drop index "wework_customer_follows_customer_id_status_index";`);
    this.addSql(`drop index "wework_customer_follows_add_way_index";`);
    this.addSql(`drop index "wework_customer_follows_remark_trgm_index";`);

    this.addSql(`drop index "wework_customers_added_at_id_index";`);
    this.addSql(`drop index "wework_customers_name_trgm_index";`);
    this.addSql(`drop index "wework_customers_external_userid_trgm_index";`);
    this.addSql(`alter table "wework_customers" drop column "added_at";`);
  }

}
