import { Migration } from '@mikro-orm/migrations';

/**
 * Two guards of the send path:
 * - `send_runs.link_key`, a secret per run for its tracked-link codes (/l/<code>): codes derived
 *   from the run, batch and index alone could be computed by anyone, who could then read every
 *   link's URL and add clicks. Runs made before keep their codes (null key), so a batch retried
 *   after the upgrade sends the same content its lost task may already have.
 * - `send_batches.submit_claim`, the attempt holding a batch while its add_msg_template call may
 *   be in flight: a second attempt Temporal started while the first still ran (a heartbeat
 *   timeout) could otherwise submit the batch again, a second live 群发 task for the same customers.
 */
export class Migration20261219010100_tracked_link_keys extends Migration {

  override name = 'Migration20261219010100_tracked_link_keys';

  override up(): void | Promise<void> {
    this.addSql(`alter table "send_runs" add column "link_key" varchar(32) null;`);
    this.addSql(`alter table "send_batches" add column "submit_claim" varchar(32) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "send_batches" drop column "submit_claim";`);
    this.addSql(`alter table "send_runs" drop column "link_key";`);
  }

}
