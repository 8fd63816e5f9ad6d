import { Migration } from '@mikro-orm/migrations';

/** Saved customer segments, and the index behind the customer list sorted by name. */
export class Migration20261201040100_customer_segments extends Migration {

  override name = 'Migration20261201040100_customer_segments';

  override up(): void | Promise<void> {
    this.addSql(`create table "customer_segments" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(60) not null, "filter" jsonb not null, "created_by" int null);`);
    this.addSql(`alter table "customer_segments" add constraint "customer_segments_name_unique" unique ("name");`);
    this.addSql(`create index "wework_customers_name_id_index" on "wework_customers" ("name" asc nulls last, "id" asc);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "wework_customers_name_id_index";`);
    this.addSql(`drop table "customer_segments";`);
  }

}
