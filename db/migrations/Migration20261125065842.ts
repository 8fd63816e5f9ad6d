import { Migration } from '@mikro-orm/migrations';

export class Migration20261125065842 extends Migration {

  override name = 'Migration20261125065842';

  override up(): void | Promise<void> {
    this.addSql(`create table "dashboard_users" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "username" varchar(64) not null, "password_hash" text not null, "role" text not null, "display_name" varchar(128) null, "disabled" boolean not null default false, "last_login_at" timestamptz null);`);
    this.addSql(`alter table "dashboard_users" add constraint "dashboard_users_username_unique" unique ("username");`);
    this.addSql(`alter table "dashboard_users" add constraint "dashboard_users_role_check" check ("role" in ('admin', 'marketer', 'viewer'));`);

    this.addSql(`create table "leads" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(255) null, "phone" varchar(32) null, "source" varchar(64) not null, "status" text not null default 'new');`);
    this.addSql(`create index "leads_source_index" on "leads" ("source");`);
    this.addSql(`create index "leads_status_index" on "leads" ("status");`);
    this.addSql(`alter table "leads" add constraint "leads_status_check" check ("status" in ('new', 'contacted', 'booked', 'converted', 'lost'));`);

    this.addSql(`create table "tags" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "group_name" varchar(30) not null, "name" varchar(30) not null, "wecom_group_id" varchar(64) null, "wecom_tag_id" varchar(64) null);`);
    this.addSql(`alter table "tags" add constraint "tags_wecom_tag_id_unique" unique ("wecom_tag_id");`);
    this.addSql(`alter table "tags" add constraint "tags_group_name_name_unique" unique ("group_name", "name");`);

    this.addSql(`create table "lead_tags" ("lead_id" int not null, "tag_id" int not null, primary key ("lead_id", "tag_id"));`);

    this.addSql(`create table "wework_callback_logs" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "event_type" varchar(100) not null, "change_type" varchar(100) null, "external_userid" varchar(64) null, "user_id" varchar(64) null, "state" varchar(30) null, "dedupe_key" varchar(200) null, "raw_data" text null, "outcome" text not null, "error" text null, "workflow_id" varchar(255) null, "processed" boolean not null default false);`);
    this.addSql(`create index "wework_callback_logs_event_type_index" on "wework_callback_logs" ("event_type");`);
    this.addSql(`create index "wework_callback_logs_external_userid_index" on "wework_callback_logs" ("external_userid");`);
    this.addSql(`create index "wework_callback_logs_dedupe_key_index" on "wework_callback_logs" ("dedupe_key");`);
    this.addSql(`create index "wework_callback_logs_outcome_index" on "wework_callback_logs" ("outcome");`);
    this.addSql(`create index "wework_callback_logs_processed_index" on "wework_callback_logs" ("processed");`);
    this.addSql(`alter table "wework_callback_logs" add constraint "wework_callback_logs_outcome_check" check ("outcome" in ('accepted', 'duplicate', 'rejected', 'failed'));`);

    this.addSql(`create table "wework_config" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "corp_id" varchar(64) not null, "corp_secret_sealed" text not null, "agent_id" varchar(32) not null, "token_sealed" text not null, "encoding_aes_key_sealed" text not null, "access_token_sealed" text null, "access_token_expires_at" timestamptz null);`);

    this.addSql(`create table "wework_contact_ways" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "config_id" varchar(64) not null, "type" smallint not null, "scene" smallint not null, "style" smallint null, "is_temp" boolean not null default false, "expires_in" int null, "chat_expires_in" int null, "state" varchar(30) null, "qr_code" text null, "user_ids" jsonb not null default '[]', "party_ids" jsonb not null default '[]', "skip_verify" boolean not null default true, "conclusions" jsonb null, "welcome_template" jsonb null, "remark" varchar(30) null);`);
    this.addSql(`alter table "wework_contact_ways" add constraint "wework_contact_ways_config_id_unique" unique ("config_id");`);
    this.addSql(`create index "wework_contact_ways_state_index" on "wework_contact_ways" ("state");`);

    this.addSql(`create table "wework_customers" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "external_userid" varchar(64) not null, "name" varchar(255) null, "avatar" text null, "gender" smallint not null default 0, "unionid" varchar(64) null, "type" smallint null, "corp_name" varchar(255) null, "birthday" date null, "lead_id" int null);`);
    this.addSql(`alter table "wework_customers" add constraint "wework_customers_external_userid_unique" unique ("external_userid");`);
    this.addSql(`create index "wework_customers_lead_id_index" on "wework_customers" ("lead_id");`);

    this.addSql(`create table "wework_customer_tags" ("wework_customer_id" int not null, "tag_id" int not null, primary key ("wework_customer_id", "tag_id"));`);

    this.addSql(`create table "wework_customer_follows" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "customer_id" int not null, "staff_userid" varchar(64) not null, "remark" varchar(255) null, "description" text null, "add_way" smallint null, "state" varchar(30) null, "oper_userid" varchar(64) null, "wecom_tag_ids" jsonb not null default '[]', "followed_at" timestamptz null, "status" text not null default 'active', "lost_at" timestamptz null, "lost_reason" varchar(64) null);`);
    this.addSql(`create index "wework_customer_follows_staff_userid_index" on "wework_customer_follows" ("staff_userid");`);
    this.addSql(`create index "wework_customer_follows_state_index" on "wework_customer_follows" ("state");`);
    this.addSql(`create index "wework_customer_follows_status_index" on "wework_customer_follows" ("status");`);
    this.addSql(`alter table "wework_customer_follows" add constraint "wework_customer_follows_customer_id_staff_userid_unique" unique ("customer_id", "staff_userid");`);
    this.addSql(`alter table "wework_customer_follows" add constraint "wework_customer_follows_status_check" check ("status" in ('active', 'lost'));`);

    this.addSql(`create table "wework_messages" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "send_key" varchar(200) not null, "kind" text not null, "external_userid" varchar(64) null, "staff_userid" varchar(64) null, "msgtype" varchar(50) not null, "content" jsonb not null, "status" text not null default 'pending', "error_msg" text null, "sent_at" timestamptz null);`);
    this.addSql(`alter table "wework_messages" add constraint "wework_messages_send_key_unique" unique ("send_key");`);
    this.addSql(`create index "wework_messages_kind_index" on "wework_messages" ("kind");`);
    this.addSql(`create index "wework_messages_external_userid_index" on "wework_messages" ("external_userid");`);
    this.addSql(`create index "wework_messages_status_index" on "wework_messages" ("status");`);
    this.addSql(`alter table "wework_messages" add constraint "wework_messages_kind_check" check ("kind" in ('welcome', 'group', 'staff_notification', 'inbound'));`);
    this.addSql(`alter table "wework_messages" add constraint "wework_messages_status_check" check ("status" in ('pending', 'sent', 'failed', 'skipped'));`);

    this.addSql(`create table "wework_staff" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "userid" varchar(64) not null, "name" varchar(128) null, "department_ids" jsonb not null default '[]', "active" boolean not null default true);`);
    this.addSql(`alter table "wework_staff" add constraint "wework_staff_userid_unique" unique ("userid");`);

    this.addSql(`alter table "lead_tags" add constraint "lead_tags_lead_id_foreign" foreign key ("lead_id") references "leads" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "lead_tags" add constraint "lead_tags_tag_id_foreign" foreign key ("tag_id") references "tags" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "wework_customers" add constraint "wework_customers_lead_id_foreign" foreign key ("lead_id") references "leads" ("id") on delete set null;`);

    this.addSql(`alter table "wework_customer_tags" add constraint "wework_customer_tags_wework_customer_id_foreign" foreign key ("wework_customer_id") references "wework_customers" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "wework_customer_tags" add constraint "wework_customer_tags_tag_id_foreign" foreign key ("tag_id") references "tags" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "wework_customer_follows" add constraint "wework_customer_follows_customer_id_foreign" foreign key ("customer_id") references "wework_customers" ("id") on delete cascade;`);
  }

}
