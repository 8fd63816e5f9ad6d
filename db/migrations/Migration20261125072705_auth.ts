import { Migration } from '@mikro-orm/migrations';

export class Migration20261125072705_auth extends Migration {

  override name = 'Migration20261125072705_auth';

  override up(): void | Promise<void> {
    this.addSql(`create table "audit_logs" ("id" serial primary key, "created_at" timestamptz not null, "actor_user_id" int null, "actor_username" varchar(200) null, "action" varchar(64) not null, "target_type" varchar(64) null, "target_id" varchar(64) null, "details" jsonb not null default '{}', "ip" varchar(64) null);`);
    this.addSql(`create index "audit_logs_created_at_index" on "audit_logs" ("created_at");`);
    this.addSql(`create index "audit_logs_actor_user_id_index" on "audit_logs" ("actor_user_id");`);
    this.addSql(`create index "audit_logs_action_index" on "audit_logs" ("action");`);

    this.addSql(`create table "dashboard_sessions" ("id" varchar(64) not null, "user_id" int not null, "csrf_token" varchar(64) not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, "ip" varchar(64) null, "user_agent" varchar(512) null, primary key ("id"));`);
    this.addSql(`create index "dashboard_sessions_user_id_index" on "dashboard_sessions" ("user_id");`);
    this.addSql(`create index "dashboard_sessions_expires_at_index" on "dashboard_sessions" ("expires_at");`);

    this.addSql(`alter table "dashboard_sessions" add constraint "dashboard_sessions_user_id_foreign" foreign key ("user_id") references "dashboard_users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "audit_logs" cascade;`);
    this.addSql(`drop table if exists "dashboard_sessions" cascade;`);
  }

}
