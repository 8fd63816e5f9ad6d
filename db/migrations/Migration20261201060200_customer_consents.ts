import { Migration } from '@mikro-orm/migrations';

/**
 * STAND-IN consent table (db/entities/customer-consent.entity.ts) so birthday greetings and
 * journey sends can honour marketing consent before the campaigns branch's ledger is merged;
 * drop this migration when that one (which creates the same table) lands.
 */
export class Migration20261201060200_customer_consents extends Migration {
  override name = 'Migration20261201060200_customer_consents';

  override up(): void | Promise<void> {
    this.addSql(`create table if not exists "customer_consents" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "external_userid" varchar(64) not null, "marketing" varchar(16) not null, "source" varchar(64) not null, "changed_at" timestamptz not null);`);
    this.addSql(`alter table "customer_consents" add constraint "customer_consents_external_userid_unique" unique ("external_userid");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "customer_consents" cascade;`);
  }
}
