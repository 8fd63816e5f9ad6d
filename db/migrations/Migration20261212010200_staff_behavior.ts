import { Migration } from '@mikro-orm/migrations';

/** WeCom's 联系客户统计 per staff member per clinic day. */
export class Migration20261212010200_staff_behavior extends Migration {

  override name = 'Migration20261212010200_staff_behavior';

  override up(): void | Promise<void> {
    this.addSql(`create table "staff_behavior_daily" ("day" date not null, "staff_userid" varchar(64) not null,
      "new_apply_cnt" int not null default 0, "new_contact_cnt" int not null default 0, "chat_cnt" int not null default 0, "message_cnt" int not null default 0,
      "reply_percentage" double precision null, "avg_reply_time" double precision null, "negative_feedback_cnt" int not null default 0,
      "synced_at" timestamptz not null, primary key ("day", "staff_userid"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "staff_behavior_daily" cascade;`);
  }

}
