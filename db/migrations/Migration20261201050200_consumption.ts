import { Migration } from '@mikro-orm/migrations';

/** Visits and purchases from the clinic's systems: customer tiers (分层) and "no visit in N days" audiences. */
export class Migration20261201050200_consumption extends Migration {

  override name = 'Migration20261201050200_consumption';

  override up(): void | Promise<void> {
    this.addSql(`create table "customer_consumptions" ("id" bigserial primary key, "external_userid" varchar(64) not null, "kind" varchar(16) not null, "occurred_at" timestamptz not null, "amount_fen" bigint not null default '0', "project" varchar(100) null, "source" varchar(64) not null, "external_ref" varchar(128) not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "customer_consumptions_external_userid_occurred_at_index" on "customer_consumptions" ("external_userid", "occurred_at");`);
    this.addSql(`alter table "customer_consumptions" add constraint "customer_consumptions_source_external_ref_unique" unique ("source", "external_ref");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "customer_consumptions" cascade;`);

  }

}
