import { Migration } from '@mikro-orm/migrations';
import { DEFAULT_FORBIDDEN_TERMS } from '../../common/compliance.ts';

/**
 * Campaigns and the shared send path (runs, batches, frozen recipients, tracked links, a shared
 * rate window), the consent ledger, the clinic's compliance settings and the forbidden-term list
 * (seeded with the default medical-advertising terms; admins maintain it afterwards).
 */
export class Migration20261201050100_campaigns extends Migration {

  override name = 'Migration20261201050100_campaigns';

  override up(): void | Promise<void> {

    this.addSql(`create table "campaigns" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(100) not null, "audience" jsonb not null, "content" jsonb not null, "schedule" jsonb null, "status" varchar(16) not null default 'draft', "version" int not null default 1, "current_run_id" int null, "created_by" int null, "launched_at" timestamptz null, "finished_at" timestamptz null);`);
    this.addSql(`create index "campaigns_status_id_index" on "campaigns" ("status", "id");`);

    this.addSql(`create table "clinic_settings" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "time_zone" varchar(64) not null default 'Asia/Shanghai', "quiet_start" varchar(5) null, "quiet_end" varchar(5) null, "monthly_cap" int null, "submit_per_minute" int not null default 600);`);

    this.addSql(`create table "consent_events" ("id" bigserial primary key, "external_userid" varchar(64) not null, "marketing" varchar(16) not null, "source" varchar(64) not null, "evidence" text null, "text_version" varchar(32) null, "actor_user_id" int null, "actor_username" varchar(200) null, "created_at" timestamptz not null);`);
    this.addSql(`create index "consent_events_external_userid_created_at_index" on "consent_events" ("external_userid", "created_at");`);

    this.addSql(`create table "customer_consents" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "external_userid" varchar(64) not null, "marketing" varchar(16) not null, "care_opt_out" boolean not null default false, "source" varchar(64) not null, "changed_at" timestamptz not null, "page_token" varchar(48) null);`);
    this.addSql(`alter table "customer_consents" add constraint "customer_consents_external_userid_unique" unique ("external_userid");`);
    this.addSql(`alter table "customer_consents" add constraint "customer_consents_page_token_unique" unique ("page_token");`);

    this.addSql(`create table "forbidden_terms" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "term" varchar(64) not null, "reason" text not null);`);
    this.addSql(`alter table "forbidden_terms" add constraint "forbidden_terms_term_unique" unique ("term");`);

    this.addSql(`create table "rate_windows" ("key" varchar(64) not null, "window_start" timestamptz not null, "used" int not null default 0, primary key ("key"));`);

    this.addSql(`create table "send_batches" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "run_id" int not null, "sender" varchar(64) not null, "seq" int not null, "size" int not null, "state" varchar(16) not null default 'pending', "msgid" varchar(128) null, "fail_list" jsonb not null default '[]', "submit_started_at" timestamptz null, "submitted_at" timestamptz null, "confirmed_at" timestamptz null, "results_final" boolean not null default false, "reminders" int not null default 0, "last_reminded_at" timestamptz null, "duplicates_cancelled" int not null default 0);`);
    this.addSql(`alter table "send_batches" add constraint "send_batches_msgid_unique" unique ("msgid");`);
    this.addSql(`create index "send_batches_run_id_state_index" on "send_batches" ("run_id", "state");`);
    this.addSql(`alter table "send_batches" add constraint "send_batches_run_id_sender_seq_unique" unique ("run_id", "sender", "seq");`);

    this.addSql(`create table "send_recipients" ("id" bigserial primary key, "run_id" int not null, "customer_id" int null, "external_userid" varchar(64) not null, "sender" varchar(64) null, "state" varchar(16) not null default 'pending', "skip_reason" varchar(32) null, "batch_id" int null, "result" varchar(16) null, "fail_reason" varchar(32) null, "submitted_at" timestamptz null, "sent_at" timestamptz null, "clicked_at" timestamptz null);`);
    this.addSql(`create index "send_recipients_run_id_state_index" on "send_recipients" ("run_id", "state");`);
    this.addSql(`create index "send_recipients_batch_id_index" on "send_recipients" ("batch_id");`);
    this.addSql(`create index "send_recipients_external_userid_submitted_at_index" on "send_recipients" ("external_userid", "submitted_at");`);
    this.addSql(`alter table "send_recipients" add constraint "send_recipients_run_id_external_userid_unique" unique ("run_id", "external_userid");`);

    this.addSql(`create table "send_runs" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "kind" varchar(16) not null, "campaign_id" int null, "campaign_version" int null, "message_class" varchar(16) not null, "content" jsonb not null, "status" varchar(16) not null default 'pending', "paused" boolean not null default false, "failure_reason" text null, "workflow_id" varchar(200) null, "started_at" timestamptz null, "submitted_at" timestamptz null, "finished_at" timestamptz null);`);
    this.addSql(`create index "send_runs_campaign_id_index" on "send_runs" ("campaign_id");`);

    this.addSql(`create table "tracked_links" ("code" varchar(24) not null, "run_id" int not null, "batch_id" int null, "url" text not null, "clicks" int not null default 0, "created_at" timestamptz not null, primary key ("code"));`);
    this.addSql(`create index "tracked_links_run_id_index" on "tracked_links" ("run_id");`);

    this.addSql(`insert into "clinic_settings" ("id", "created_at", "updated_at") values (1, now(), now());`);
    this.addSql(`select setval(pg_get_serial_sequence('clinic_settings', 'id'), 1);`);
    for (const { term, reason } of DEFAULT_FORBIDDEN_TERMS) {
      this.addSql(`insert into "forbidden_terms" ("created_at", "updated_at", "term", "reason") values (now(), now(), ${quote(term)}, ${quote(reason)});`);
    }
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "campaigns" cascade;`);
    this.addSql(`drop table if exists "clinic_settings" cascade;`);
    this.addSql(`drop table if exists "consent_events" cascade;`);
    this.addSql(`drop table if exists "customer_consents" cascade;`);
    this.addSql(`drop table if exists "forbidden_terms" cascade;`);
    this.addSql(`drop table if exists "rate_windows" cascade;`);
    this.addSql(`drop table if exists "send_batches" cascade;`);
    this.addSql(`drop table if exists "send_recipients" cascade;`);
    this.addSql(`drop table if exists "send_runs" cascade;`);
    this.addSql(`drop table if exists "tracked_links" cascade;`);

  }

}

/** A SQL string literal (the seeded terms are constants, but quote them properly anyway). */
function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
