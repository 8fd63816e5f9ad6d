import { Migration } from '@mikro-orm/migrations';

/**
 * The callback inbox (one row per WeCom event, redeliveries counted on it), the counters of refused
 * callbacks (per reason and day, no bodies), and the index markCallbackProcessed looks rows up by.
 */
export class Migration20261201030100_inbox extends Migration {

  override name = 'Migration20261201030100_inbox';

  override up(): void | Promise<void> {
    this.addSql(`create table "wework_callback_inbox" (
      "id" bigserial primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "dedupe_key" varchar(200) not null,
      "event_kind" varchar(100) not null,
      "workflow_id" varchar(255) not null,
      "priority" smallint not null default 1,
      "raw_xml" text not null,
      "status" text not null default 'pending',
      "deliveries" int not null default 1,
      "attempts" int not null default 0,
      "lease_until" timestamptz null,
      "dispatched_at" timestamptz null,
      "last_error" text null,
      constraint "wework_callback_inbox_dedupe_key_unique" unique ("dedupe_key"),
      constraint "wework_callback_inbox_status_check" check ("status" in ('pending', 'dispatched', 'dead'))
    );`);
    // The relay's claim: pending rows, add events first, oldest first.
    this.addSql(`create index "wework_callback_inbox_pending_index" on "wework_callback_inbox" ("priority", "id") where "status" = 'pending';`);
    // Pruning finds dispatched rows by age.
    this.addSql(`create index "wework_callback_inbox_dispatched_index" on "wework_callback_inbox" ("dispatched_at") where "status" = 'dispatched';`);
    this.addSql(`create table "wework_callback_rejections" (
      "day" date not null,
      "reason" varchar(64) not null,
      "count" bigint not null,
      "last_at" timestamptz not null default now(),
      primary key ("day", "reason")
    );`);
    // markCallbackProcessed: `update … where workflow_id = ? and processed = false` at the end of every event workflow.
    this.addSql(`create index "wework_callback_logs_unprocessed_workflow_index" on "wework_callback_logs" ("workflow_id") where "processed" = false;`);
    // The replayer that used it is gone: the inbox's relay replaces it.
    this.addSql(`alter table "wework_callback_logs" drop column "replayed_at";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "wework_callback_logs" add "replayed_at" timestamptz null;`);
    this.addSql(`drop index if exists "wework_callback_logs_unprocessed_workflow_index";`);
    this.addSql(`drop table if exists "wework_callback_rejections";`);
    this.addSql(`drop table if exists "wework_callback_inbox";`);
  }

}
