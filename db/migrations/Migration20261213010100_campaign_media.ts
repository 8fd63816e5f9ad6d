import { Migration } from '@mikro-orm/migrations';

/** Campaign images stored here, with the last WeCom temporary media_id and when it was uploaded (it lives 3 days). */
export class Migration20261213010100_campaign_media extends Migration {

  override name = 'Migration20261213010100_campaign_media';

  override up(): void | Promise<void> {
    this.addSql(`create table "campaign_media" ("id" serial primary key, "sha256" varchar(64) not null, "content_type" varchar(32) not null, "bytes" bytea not null, "size" int not null, "wecom_media_id" varchar(256) null, "wecom_uploaded_at" timestamptz null, "created_by" int null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "campaign_media" add constraint "campaign_media_sha256_unique" unique ("sha256");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "campaign_media" cascade;`);
  }

}
