import { Migration } from '@mikro-orm/migrations';

/** Birthday days run: the record the daily run looks back at to catch up missed days itself. */
export class Migration20261214010100_birthday_days extends Migration {

  override name = 'Migration20261214010100_birthday_days';

  override up(): void | Promise<void> {
    this.addSql(`create table "birthday_days" ("day" date not null, "late" boolean not null default false, "caught_up_on" date null, "claimed" int not null default 0, "queued" int not null default 0, "send_run_id" int null, "ran_at" timestamptz not null, constraint "birthday_days_pkey" primary key ("day"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "birthday_days" cascade;`);
  }
}
