import { Migration } from '@mikro-orm/migrations';

export class Migration20261125074652_contact_way_unionid_exclusive extends Migration {

  override name = 'Migration20261125074652_contact_way_unionid_exclusive';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_contact_ways" add "unionid" varchar(64) null, add "is_exclusive" boolean not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "wework_contact_ways" drop column "unionid", drop column "is_exclusive";`);
  }

}
