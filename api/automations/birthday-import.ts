import type { EntityManager } from '@mikro-orm/postgresql';
import { parseBirthday, type BirthdayImportRow } from '../../common/automations.schema.ts';
import { matchCustomerKeys } from '../customers/customer-keys.ts';
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

/**
 * Matches each row to one customer (external_userid, remark or phone in a remark:
 * `matchCustomerKeys`). No match, several matches or an unreadable birthday are errors the preview
 * shows; nothing is written here.
 */
export async function matchBirthdayRows(em: EntityManager, rows: RawBirthdayRow[]): Promise<Array<BirthdayImportRow & { stored: string | null }>> {
  const matches = await matchCustomerKeys(em, rows.map((row) => row.key));
  return rows.map((row) => {
    const stored = normalizeBirthday(row.birthday);
    const base = { line: row.line, key: row.key, birthday: row.birthday, stored };
    if (!row.key) return { ...base, match: null, error: 'missing_key' };
    if (!stored) return { ...base, match: null, error: 'invalid_birthday' };
    const match = matches.get(row.key) ?? 'no_match';
    return typeof match === 'string' ? { ...base, match: null, error: match } : { ...base, match, error: null };
  });
}
