import { Migration } from '@mikro-orm/migrations';

/**
 * The inbox keeps each event's CreateTime: the relay takes pending add events by it, newest first,
 * since a WelcomeCode's 20 s run from CreateTime (a WeCom redelivery of an old event arrives late
 * with its old time; a row's id only says when it arrived).
 */
export class Migration20261215010100_inbox_event_time extends Migration {

  override name = 'Migration20261215010100_inbox_event_time';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_callback_inbox" add column "event_created_at" timestamptz null;`);
    this.addSql(`create index "wework_callback_inbox_pending_adds_index" on "wework_callback_inbox" ("event_created_at" desc nulls last, "id" desc) where "status" = 'pending' and "priority" = 0;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "wework_callback_inbox_pending_adds_index";`);
    this.addSql(`alter table "wework_callback_inbox" drop column "event_created_at";`);
  }

}
