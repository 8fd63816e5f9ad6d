import { Migration } from '@mikro-orm/migrations';

/**
 * Staff notices paced to WeCom's per-member limit (30 app messages a minute, 1,000 an hour, the
 * excess dropped silently): `slot_at` is when a message took one of the member's send slots,
 * status `queued` a notice waiting for the member's next digest, `digest_id` the digest message
 * that carried it.
 */
export class Migration20261220010100_staff_notice_pacing extends Migration {

  override name = 'Migration20261220010100_staff_notice_pacing';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_messages" add column "slot_at" timestamptz null, add column "digest_id" int null;`);
    this.addSql(`alter table "wework_messages" drop constraint if exists "wework_messages_status_check";`);
    this.addSql(`alter table "wework_messages" add constraint "wework_messages_status_check" check ("status" in ('pending', 'queued', 'sent', 'failed', 'skipped'));`);
    this.addSql(`create index "wework_messages_staff_slot_index" on "wework_messages" ("staff_userid", "slot_at") where "slot_at" is not null;`);
    this.addSql(`create index "wework_messages_staff_queued_index" on "wework_messages" ("staff_userid", "id") where "status" = 'queued';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "wework_messages_staff_queued_index";`);
    this.addSql(`drop index if exists "wework_messages_staff_slot_index";`);
    this.addSql(`update "wework_messages" set "status" = 'pending' where "status" = 'queued';`);
    this.addSql(`alter table "wework_messages" drop constraint if exists "wework_messages_status_check";`);
    this.addSql(`alter table "wework_messages" add constraint "wework_messages_status_check" check ("status" in ('pending', 'sent', 'failed', 'skipped'));`);
    this.addSql(`alter table "wework_messages" drop column "digest_id", drop column "slot_at";`);
  }

}
