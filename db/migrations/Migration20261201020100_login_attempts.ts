import { Migration } from '@mikro-orm/migrations';

export class Migration20261201020100_login_attempts extends Migration {

  override name = 'Migration20261201020100_login_attempts';

  override up(): void | Promise<void> {
    // One counter per (scope, key) and its current window, incremented by an atomic upsert before the
    // password is hashed, so every API process sees the same count.
    this.addSql(`create table "login_attempts" ("scope" varchar(8) not null, "key" varchar(255) not null, "window_start" timestamptz not null, "count" int not null default 0, constraint "login_attempts_pkey" primary key ("scope", "key"));`);
    this.addSql(`create index "login_attempts_window_start_index" on "login_attempts" ("window_start");`);
    this.addSql(`alter table "dashboard_users" add "must_change_password" boolean not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "dashboard_users" drop column "must_change_password";`);
    this.addSql(`drop table if exists "login_attempts" cascade;`);
  }

}
