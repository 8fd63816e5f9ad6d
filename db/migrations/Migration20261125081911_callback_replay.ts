import { Migration } from '@mikro-orm/migrations';

export class Migration20261125081911_callback_replay extends Migration {

  override name = 'Migration20261125081911_callback_replay';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_callback_logs" add "replayed_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "wework_callback_logs" drop column "replayed_at";`);
  }

}
