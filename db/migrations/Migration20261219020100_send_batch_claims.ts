import { Migration } from '@mikro-orm/migrations';

/**
 * Which attempt of a batch's submission holds it (a random token while its add_msg_template call
 * may be in flight): a second attempt that Temporal started while the first still ran (a heartbeat
 * timeout) could otherwise submit the batch again, a second live 群发 task for the same customers.
 */
export class Migration20261219020100_send_batch_claims extends Migration {

  override name = 'Migration20261219020100_send_batch_claims';

  override up(): void | Promise<void> {
    this.addSql(`alter table "send_batches" add column "submit_claim" varchar(32) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "send_batches" drop column "submit_claim";`);
  }

}
