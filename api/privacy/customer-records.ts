import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** A customer's identifiers: the row id and WeCom's external id. */
export interface CustomerKey {
  id: number;
  externalUserid: string;
}

/** Everything the database holds about one customer, as plain rows (PIPL art. 45: a copy on request). */
export interface CustomerRecords {
  profile: Record<string, unknown>;
  follows: Record<string, unknown>[];
  tags: Array<{ groupName: string; name: string }>;
  lead: Record<string, unknown> | null;
  messages: Record<string, unknown>[];
  callbacks: Record<string, unknown>[];
  /** Rows of other tables keyed by the external id (e.g. later features' tables), by table. */
  other: Record<string, Record<string, unknown>[]>;
}

/** Columns that hold a WeCom external user id in any table; rows carrying it belong to that customer. */
const EXTERNAL_ID_COLUMNS = ['external_userid', 'external_user_id'];
/** Tables read or erased explicitly below, so the generic sweep leaves them alone. */
const HANDLED_TABLES = new Set(['wework_customers', 'wework_customer_follows', 'wework_customer_tags', 'leads', 'lead_tags', 'wework_messages', 'wework_callback_logs', 'audit_logs']);

/** Opaque, stable reference to an external id for the audit log: the erasure is recorded without the id itself. */
export function externalIdHash(externalUserid: string): string {
  return createHash('sha256').update(externalUserid).digest('hex');
}

/** The customer's key, or null when no such customer exists. */
export async function findCustomerKey(em: EntityManager, id: number): Promise<CustomerKey | null> {
  const [row] = await em.getConnection().execute<Array<{ id: number; external_userid: string }>>('select id, external_userid from wework_customers where id = ?', [id]);
  return row ? { id: row.id, externalUserid: row.external_userid } : null;
}

/** Other tables with an external-id column, found in the catalogue so tables added later are covered too. */
async function otherKeyedTables(em: EntityManager): Promise<Array<{ table: string; column: string }>> {
  const rows = await em.getConnection().execute<Array<{ table_name: string; column_name: string }>>(
    `select c.table_name, c.column_name from information_schema.columns c
     join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
     where c.table_schema = current_schema() and c.column_name in (${EXTERNAL_ID_COLUMNS.map(() => '?').join(', ')})
     order by c.table_name`, EXTERNAL_ID_COLUMNS);
  return rows.filter((row) => !HANDLED_TABLES.has(row.table_name)).map((row) => ({ table: row.table_name, column: row.column_name }));
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** Reads every row of the customer, in every table that holds one. */
export async function readCustomerRecords(em: EntityManager, key: CustomerKey): Promise<CustomerRecords> {
  const connection = em.getConnection();
  const rows = (sql: string, params: unknown[]) => connection.execute<Array<{ row: Record<string, unknown> }>>(sql, params).then((result) => result.map((r) => r.row));
  const [profile] = await rows('select row_to_json(c) as row from wework_customers c where c.id = ?', [key.id]);
  const other: Record<string, Record<string, unknown>[]> = {};
  for (const { table, column } of await otherKeyedTables(em)) {
    const found = await rows(`select row_to_json(x) as row from ${quote(table)} x where x.${quote(column)} = ?`, [key.externalUserid]);
    if (found.length > 0) other[table] = found;
  }
  const [lead] = await rows('select row_to_json(l) as row from leads l join wework_customers c on c.lead_id = l.id where c.id = ?', [key.id]);
  return {
    profile: profile ?? {},
    follows: await rows('select row_to_json(f) as row from wework_customer_follows f where f.customer_id = ? order by f.id', [key.id]),
    tags: await connection.execute<Array<{ groupName: string; name: string }>>(
      'select t.group_name as "groupName", t.name from wework_customer_tags ct join tags t on t.id = ct.tag_id where ct.wework_customer_id = ? order by t.group_name, t.name', [key.id]),
    lead: lead ?? null,
    messages: await rows('select row_to_json(m) as row from wework_messages m where m.external_userid = ? order by m.id', [key.externalUserid]),
    callbacks: await rows('select row_to_json(l) as row from wework_callback_logs l where l.external_userid = ? order by l.id', [key.externalUserid]),
    other,
  };
}

/**
 * Deletes every row of the customer in one transaction: the customer (follows and tag links go
 * with it), their lead, messages, callback logs, rows of any other table keyed by the external id;
 * audit rows that named the external id keep their action but lose their details, and those whose
 * search (`filter.q`) held the customer's name lose the search. Returns counts.
 */
export async function eraseCustomerRecords(em: EntityManager, key: CustomerKey): Promise<Record<string, number>> {
  return em.transactional(async (tem) => {
    const connection = tem.getConnection();
    const context = tem.getTransactionContext();
    const run = async (sql: string, params: unknown[]): Promise<number> => {
      const result = await connection.execute<{ affectedRows?: number; rows?: unknown[] }>(sql, params, 'run', context);
      return result.affectedRows ?? 0;
    };
    const counts: Record<string, number> = {};
    for (const { table, column } of await otherKeyedTables(tem)) {
      const removed = await run(`delete from ${quote(table)} where ${quote(column)} = ?`, [key.externalUserid]);
      if (removed > 0) counts[table] = removed;
    }
    const [customer] = await connection.execute<Array<{ lead_id: number | null; name: string | null }>>('select lead_id, name from wework_customers where id = ?', [key.id], 'all', context);
    counts.wework_customer_follows = await run('delete from wework_customer_follows where customer_id = ?', [key.id]);
    counts.wework_customer_tags = await run('delete from wework_customer_tags where wework_customer_id = ?', [key.id]);
    counts.wework_customers = await run('delete from wework_customers where id = ?', [key.id]);
    counts.leads = customer?.lead_id ? await run('delete from leads where id = ?', [customer.lead_id]) : 0;
    counts.wework_messages = await run('delete from wework_messages where external_userid = ?', [key.externalUserid]);
    counts.wework_callback_logs = await run('delete from wework_callback_logs where external_userid = ? or strpos(raw_data, ?) > 0', [key.externalUserid, key.externalUserid]);
    // The inbox keeps each event's decrypted XML (and its dedupe key names the customer) until pruned.
    counts.wework_callback_inbox = await run('delete from wework_callback_inbox where strpos(raw_xml, ?) > 0 or strpos(dedupe_key, ?) > 0', [key.externalUserid, key.externalUserid]);
    counts.audit_logs = await run(
      `update audit_logs set details = '{"redacted":"customer data erased"}'::jsonb where strpos(details::text, ?) > 0`, [key.externalUserid]);
    // An export or a bulk tag change searched by the customer's name keeps its audit row, without the search.
    const name = customer?.name?.trim() ?? '';
    if (name.length >= 2) {
      counts.audit_logs += await run(
        `update audit_logs set details = jsonb_set(details, '{filter,q}', '"(customer data erased)"'::jsonb)
          where strpos(details #>> '{filter,q}', ?) > 0`, [name]);
    }
    return counts;
  });
}
