import { Migration } from '@mikro-orm/migrations';

/**
 * Automations: clinic settings (one row), appointments and their reminders, birthday greetings
 * (unique per customer and year), journeys with immutable versions and per-customer enrollments.
 */
export class Migration20261201060100_automations extends Migration {

  override name = 'Migration20261201060100_automations';

  override up(): void | Promise<void> {
    this.addSql(`create table "automation_settings" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "birthday_days_before" smallint not null default 7, "birthday_hour" smallint not null default 10, "birthday_text" text not null default '亲爱的{name}，生日快乐！提前祝您生日愉快，为您准备了专属生日券，到店报手机号即可使用（限本人、一次）。', "appointment_offsets_minutes" jsonb not null default '[1440,120]');`);

    this.addSql(`insert into "automation_settings" ("id", "created_at", "updated_at") values (1, now(), now());`);
    this.addSql(`select setval(pg_get_serial_sequence('automation_settings', 'id'), 1);`);

    this.addSql(`create table "journeys" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(100) not null, "channel" varchar(30) not null, "active" boolean not null default true, "current_version" int not null default 1);`);
    this.addSql(`alter table "journeys" add constraint "journeys_channel_unique" unique ("channel");`);

    this.addSql(`create table "journey_versions" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "journey_id" int not null, "version" int not null, "steps" jsonb not null);`);
    this.addSql(`alter table "journey_versions" add constraint "journey_versions_journey_id_version_unique" unique ("journey_id", "version");`);

    this.addSql(`create table "journey_enrollments" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "journey_id" int not null, "version" int not null, "customer_id" int not null, "staff_userid" varchar(64) not null, "workflow_id" varchar(200) not null, "step_index" int not null default 0, "status" text not null default 'active', "exit_reason" varchar(32) null, "waiting_until" timestamptz null);`);
    this.addSql(`create index "journey_enrollments_customer_id_index" on "journey_enrollments" ("customer_id");`);
    this.addSql(`alter table "journey_enrollments" add constraint "journey_enrollments_workflow_id_unique" unique ("workflow_id");`);
    this.addSql(`create index "journey_enrollments_journey_id_version_status_step_index_index" on "journey_enrollments" ("journey_id", "version", "status", "step_index");`);

    this.addSql(`create table "birthday_greetings" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "customer_id" int not null, "year" smallint not null, "birthday_on" date not null, "send_on" date not null, "staff_userid" varchar(64) null, "coupon_code" varchar(16) not null, "status" text not null default 'claimed', "send_run_id" int null, "skip_reason" varchar(64) null, "late" boolean not null default false, "queued_at" timestamptz null, "coupon_redeemed_at" timestamptz null);`);
    this.addSql(`create index "birthday_greetings_send_on_index" on "birthday_greetings" ("send_on");`);
    this.addSql(`alter table "birthday_greetings" add constraint "birthday_greetings_coupon_code_unique" unique ("coupon_code");`);
    this.addSql(`alter table "birthday_greetings" add constraint "birthday_greetings_customer_id_year_unique" unique ("customer_id", "year");`);

    this.addSql(`create table "appointments" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "customer_id" int not null, "external_userid" varchar(64) not null, "staff_userid" varchar(64) not null, "project" varchar(100) not null, "starts_at" timestamptz not null, "status" text not null default 'booked', "source" text not null default 'api', "reschedules" int not null default 0, "cancelled_at" timestamptz null);`);
    this.addSql(`create index "appointments_customer_id_index" on "appointments" ("customer_id");`);
    this.addSql(`create index "appointments_external_userid_index" on "appointments" ("external_userid");`);
    this.addSql(`create index "appointments_starts_at_index" on "appointments" ("starts_at");`);
    this.addSql(`create index "appointments_status_index" on "appointments" ("status");`);

    this.addSql(`create table "appointment_reminders" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "appointment_id" int not null, "starts_at" timestamptz not null, "offset_minutes" int not null, "audience" text not null, "outcome" varchar(32) not null);`);
    this.addSql(`alter table "appointment_reminders" add constraint "appointment_reminders_appointment_id_starts_at_of_cefda_unique" unique ("appointment_id", "starts_at", "offset_minutes", "audience");`);

    this.addSql(`create index "wework_customers_birthday_md_index" on "wework_customers" ((extract(month from "birthday") * 100 + extract(day from "birthday"))) where "birthday" is not null;`);

    this.addSql(`alter table "journey_versions" add constraint "journey_versions_journey_id_foreign" foreign key ("journey_id") references "journeys" ("id") on delete cascade;`);

    this.addSql(`alter table "journey_enrollments" add constraint "journey_enrollments_journey_id_foreign" foreign key ("journey_id") references "journeys" ("id") on delete cascade;`);
    this.addSql(`alter table "journey_enrollments" add constraint "journey_enrollments_customer_id_foreign" foreign key ("customer_id") references "wework_customers" ("id") on delete cascade;`);
    this.addSql(`alter table "journey_enrollments" add constraint "journey_enrollments_status_check" check ("status" in ('active', 'completed', 'exited'));`);

    this.addSql(`alter table "birthday_greetings" add constraint "birthday_greetings_customer_id_foreign" foreign key ("customer_id") references "wework_customers" ("id") on delete cascade;`);
    this.addSql(`alter table "birthday_greetings" add constraint "birthday_greetings_status_check" check ("status" in ('claimed', 'queued', 'skipped'));`);

    this.addSql(`alter table "appointments" add constraint "appointments_customer_id_foreign" foreign key ("customer_id") references "wework_customers" ("id") on delete cascade;`);
    this.addSql(`alter table "appointments" add constraint "appointments_status_check" check ("status" in ('booked', 'cancelled', 'completed'));`);
    this.addSql(`alter table "appointments" add constraint "appointments_source_check" check ("source" in ('api', 'dashboard'));`);

    this.addSql(`alter table "appointment_reminders" add constraint "appointment_reminders_appointment_id_foreign" foreign key ("appointment_id") references "appointments" ("id") on delete cascade;`);
    this.addSql(`alter table "appointment_reminders" add constraint "appointment_reminders_audience_check" check ("audience" in ('staff', 'customer'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "journey_versions" drop constraint "journey_versions_journey_id_foreign";`);
    this.addSql(`alter table "journey_enrollments" drop constraint "journey_enrollments_journey_id_foreign";`);
    this.addSql(`alter table "appointment_reminders" drop constraint "appointment_reminders_appointment_id_foreign";`);

    this.addSql(`drop table if exists "automation_settings" cascade;`);
    this.addSql(`drop table if exists "journeys" cascade;`);
    this.addSql(`drop table if exists "journey_versions" cascade;`);
    this.addSql(`drop table if exists "journey_enrollments" cascade;`);
    this.addSql(`drop table if exists "birthday_greetings" cascade;`);
    this.addSql(`drop table if exists "appointments" cascade;`);
    this.addSql(`drop table if exists "appointment_reminders" cascade;`);

    this.addSql(`drop index "wework_customers_birthday_md_index";`);
  }

}
