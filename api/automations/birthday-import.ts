import type { EntityManager } from '@mikro-orm/postgresql';
import { parseBirthday, type BirthdayImportRow } from '../../common/automations.schema.ts';
import { excelSerialDate } from './spreadsheet.ts';

/** A row as read from the clinic's file: who (external id, remark or phone) and when. */
export interface RawBirthdayRow { line: number; key: string; birthday: string }

const KEY_HEADER = /external|外部|userid|客户id|手机|电话|phone|mobile|备注|remark|姓名|name/i;
const BIRTHDAY_HEADER = /生日|出生|birth/i;

/**
 * Picks the key and birthday columns of a sheet: by header names when the first row is a header
 * (外部联系人ID / 手机号 / 备注 and 生日), else the first two columns.
 */
export function rowsFromSheet(sheet: string[][]): RawBirthdayRow[] {
  const [first] = sheet;
  if (!first) return [];
  const birthdayColumn = first.findIndex((cell) => BIRTHDAY_HEADER.test(cell));
  const header = birthdayColumn >= 0;
  const keyColumn = header ? Math.max(0, first.findIndex((cell, index) => index !== birthdayColumn && KEY_HEADER.test(cell))) : 0;
  const dateColumn = header ? birthdayColumn : 1;
  return sheet.slice(header ? 1 : 0).map((cells, index) => ({
    line: index + (header ? 2 : 1), key: (cells[keyColumn] ?? '').trim(), birthday: (cells[dateColumn] ?? '').trim(),
  }));
}

/** A birthday as clinics write it (2026-3-5, 1990/03/05, 1990.3.5, 3月5日, 03-05, an Excel serial) → 'YYYY-MM-DD' or 'MM-DD'. */
export function normalizeBirthday(cell: string): string | null {
  const serial = excelSerialDate(cell);
  if (serial) return parseBirthday(serial);
  const match = /^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(cell.trim());
  if (!match) return null;
  const md = `${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
  return parseBirthday(match[1] ? `${match[1]}-${md}` : md);
}

type Candidate = { id: number; external_userid: string; name: string | null };

/**
 * Matches each row to one customer: by external_userid, else by a staff remark equal to the key,
 * else by a phone number (11 digits) that appears in a staff remark. No match, several matches or
 * an unreadable birthday are errors the preview shows; nothing is written here.
 */
export async function matchBirthdayRows(em: EntityManager, rows: RawBirthdayRow[]): Promise<Array<BirthdayImportRow & { stored: string | null }>> {
  const connection = em.getConnection();
  const keys = [...new Set(rows.map((row) => row.key).filter(Boolean))];
  const byExternalId = new Map<string, Candidate>();
  const byRemark = new Map<string, Candidate[]>();
  if (keys.length > 0) {
    const list = keys.map(() => '?').join(', ');
    for (const row of await connection.execute<Candidate[]>(`select id, external_userid, name from wework_customers where external_userid in (${list})`, keys)) {
      byExternalId.set(row.external_userid, row);
    }
    const remarks = await connection.execute<Array<Candidate & { remark: string }>>(
      `select distinct c.id, c.external_userid, c.name, f.remark from wework_customer_follows f join wework_customers c on c.id = f.customer_id where f.remark in (${list})`, keys);
    for (const row of remarks) byRemark.set(row.remark, [...(byRemark.get(row.remark) ?? []).filter((c) => c.id !== row.id), row]);
  }
  const result: Array<BirthdayImportRow & { stored: string | null }> = [];
  for (const row of rows) {
    const stored = normalizeBirthday(row.birthday);
    const base = { line: row.line, key: row.key, birthday: row.birthday, stored };
    if (!row.key) { result.push({ ...base, match: null, error: 'missing_key' }); continue; }
    if (!stored) { result.push({ ...base, match: null, error: 'invalid_birthday' }); continue; }
    const external = byExternalId.get(row.key);
    if (external) { result.push({ ...base, match: { customerId: external.id, externalUserId: external.external_userid, name: external.name, by: 'external_id' }, error: null }); continue; }
    let candidates = byRemark.get(row.key) ?? [];
    let by: 'remark' | 'phone' = 'remark';
    const phone = row.key.replace(/[\s-]/g, '');
    if (candidates.length === 0 && /^(\+?86)?1\d{10}$/.test(phone)) {
      by = 'phone';
      candidates = await connection.execute<Candidate[]>(
        `select distinct c.id, c.external_userid, c.name from wework_customer_follows f join wework_customers c on c.id = f.customer_id where f.remark like ?`, [`%${phone.slice(-11)}%`]);
    }
    if (candidates.length === 1) result.push({ ...base, match: { customerId: candidates[0]!.id, externalUserId: candidates[0]!.external_userid, name: candidates[0]!.name, by }, error: null });
    else result.push({ ...base, match: null, error: candidates.length === 0 ? 'no_match' : 'ambiguous' });
  }
  return result;
}
