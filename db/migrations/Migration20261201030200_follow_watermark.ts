import { Migration } from '@mikro-orm/migrations';

/**
 * The CreateTime of the last callback event applied to each relationship: WeCom does not promise
 * order and the relay reorders, so an event older than this changes nothing.
 */
export class Migration20261201030200_follow_watermark extends Migration {

  override name = 'Migration20261201030200_follow_watermark';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_customer_follows" add "event_watermark" bigint null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "wework_customer_follows" drop column "event_watermark";`);
  }

}
