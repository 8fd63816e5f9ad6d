import { Migration } from '@mikro-orm/migrations';

/**
 * A secret per send run for its tracked-link codes (/l/<code>): codes derived from the run, batch
 * and index alone could be computed by anyone, who could then read every link's URL and add clicks.
 * Runs made before keep their codes (null key), so a batch retried after the upgrade sends the
 * same content its lost task may already have.
 */
export class Migration20261219010100_tracked_link_keys extends Migration {

  override name = 'Migration20261219010100_tracked_link_keys';

  override up(): void | Promise<void> {
    this.addSql(`alter table "send_runs" add column "link_key" varchar(32) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "send_runs" drop column "link_key";`);
  }

}
