import { Migration } from '@mikro-orm/migrations';

/**
 * Saved customer segments, plus the indexes the dashboard's list sorts and the statistics need:
 * the list sorted by name, and relationships counted per day, channel and staff member.
 */
export class Migration20261201040100_customer_segments extends Migration {

  override name = 'Migration20261201040100_customer_segments';

  override up(): void | Promise<void> {
    this.addSql(`create table "customer_segments" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(60) not null, "filter" jsonb not null, "created_by" int null);`);
    this.addSql(`alter table "customer_segments" add constraint "customer_segments_name_unique" unique ("name");`);
    this.addSql(`create index "wework_customers_name_id_index" on "wework_customers" ("name" asc nulls last, "id" asc);`);
    this.addSql(`create index "wework_customer_follows_followed_at_index" on "wework_customer_follows" ("followed_at") include ("state", "staff_userid");`);
    this.addSql(`create index "wework_customer_follows_lost_at_index" on "wework_customer_follows" ("lost_at") include ("state", "staff_userid") where "lost_at" is not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "wework_customer_follows_lost_at_index";`);
    this.addSql(`drop index "wework_customer_follows_followed_at_index";`);
    this.addSql(`drop index "wework_customers_name_id_index";`);
    this.addSql(`drop table "customer_segments";`);
  }

}
