import { Migration } from '@mikro-orm/migrations';

export class Migration20261201020200_privacy_settings extends Migration {

  override name = 'Migration20261201020200_privacy_settings';

  override up(): void | Promise<void> {
    // One row (id = 1): how long callback logs and messages are kept; null keeps them forever.
    this.addSql(`create table "privacy_settings" ("id" int not null default 1, "callback_log_days" int null, "message_days" int null, "updated_at" timestamptz not null, constraint "privacy_settings_pkey" primary key ("id"));`);
    this.addSql(`insert into "privacy_settings" ("id", "updated_at") values (1, now());`);
    // The retention purge deletes by age in batches.
    this.addSql(`create index "wework_callback_logs_created_at_index" on "wework_callback_logs" ("created_at");`);
    this.addSql(`create index "wework_messages_created_at_index" on "wework_messages" ("created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "wework_messages_created_at_index";`);
    this.addSql(`drop index if exists "wework_callback_logs_created_at_index";`);
    this.addSql(`drop table if exists "privacy_settings" cascade;`);
  }

}
