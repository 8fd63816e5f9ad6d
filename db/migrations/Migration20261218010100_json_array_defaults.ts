import { Migration } from '@mikro-orm/migrations';

/** The JSON array columns whose entity default was the string '[]', with the columns that held it. */
const COLUMNS: Array<[table: string, column: string]> = [
  ['wework_customer_follows', 'wecom_tag_ids'], ['send_batches', 'fail_list'], ['wework_contact_ways', 'user_ids'],
  ['wework_contact_ways', 'party_ids'], ['wework_staff', 'department_ids'], ['bulk_tag_jobs', 'add_tag_ids'], ['bulk_tag_jobs', 'remove_tag_ids'],
];

/**
 * Rows created through the ORM without these fields got the JSON string "[]" (the entity default
 * was inserted as a value) where an empty array was meant; the entities now make an empty array.
 */
export class Migration20261218010100_json_array_defaults extends Migration {

  override name = 'Migration20261218010100_json_array_defaults';

  override up(): void | Promise<void> {
    for (const [table, column] of COLUMNS) {
      this.addSql(`update "${table}" set "${column}" = '[]'::jsonb where jsonb_typeof("${column}") = 'string' and "${column}" #>> '{}' = '[]';`);
    }
  }

  override down(): void | Promise<void> {
    // An empty array is what every reader expected; there is nothing to restore.
  }

}
