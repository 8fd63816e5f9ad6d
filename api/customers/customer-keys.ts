import type { EntityManager } from '@mikro-orm/postgresql';

/** How a spreadsheet row's key found its customer. */
export type KeyMatch = { customerId: number; externalUserId: string; name: string | null; by: 'external_id' | 'remark' | 'phone' };

type Candidate = { id: number; external_userid: string; name: string | null };
const asMatch = (c: Candidate, by: KeyMatch['by']): KeyMatch => ({ customerId: c.id, externalUserId: c.external_userid, name: c.name, by });

/**
 * Finds the customer each key of a clinic's spreadsheet names: by external_userid, else by a staff
 * remark equal to the key, else by a phone number (11 digits) that appears in a staff remark.
 * A key with no customer or several is answered `no_match` / `ambiguous`. Used by the birthday and
 * consumption imports.
 */
export async function matchCustomerKeys(em: EntityManager, keys: readonly string[]): Promise<Map<string, KeyMatch | 'no_match' | 'ambiguous'>> {
  const connection = em.getConnection();
  const unique = [...new Set(keys.filter(Boolean))];
  const result = new Map<string, KeyMatch | 'no_match' | 'ambiguous'>();
  if (unique.length === 0) return result;
  const byExternalId = new Map<string, Candidate>();
  const byRemark = new Map<string, Candidate[]>();
  const list = unique.map(() => '?').join(', ');
  for (const row of await connection.execute<Candidate[]>(`select id, external_userid, name from wework_customers where external_userid in (${list})`, unique)) {
    byExternalId.set(row.external_userid, row);
  }
  const remarks = await connection.execute<Array<Candidate & { remark: string }>>(
    `select distinct c.id, c.external_userid, c.name, f.remark from wework_customer_follows f join wework_customers c on c.id = f.customer_id where f.remark in (${list})`, unique);
  for (const row of remarks) byRemark.set(row.remark, [...(byRemark.get(row.remark) ?? []).filter((c) => c.id !== row.id), row]);
  for (const key of unique) {
    const external = byExternalId.get(key);
    if (external) { result.set(key, asMatch(external, 'external_id')); continue; }
    let candidates = byRemark.get(key) ?? [];
    let by: KeyMatch['by'] = 'remark';
    const phone = key.replace(/[\s-]/g, '');
    if (candidates.length === 0 && /^(\+?86)?1\d{10}$/.test(phone)) {
      by = 'phone';
      candidates = await connection.execute<Candidate[]>(
        `select distinct c.id, c.external_userid, c.name from wework_customer_follows f join wework_customers c on c.id = f.customer_id where f.remark like ?`, [`%${phone.slice(-11)}%`]);
    }
    result.set(key, candidates.length === 1 ? asMatch(candidates[0]!, by) : candidates.length === 0 ? 'no_match' : 'ambiguous');
  }
  return result;
}
