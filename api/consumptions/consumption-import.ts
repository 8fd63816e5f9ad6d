import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumptionImportRow } from '../../common/campaigns.schema.ts';
import { isoInZone, zonedInstant } from '../../common/clinic-time.ts';
import { excelSerialDate } from '../automations/spreadsheet.ts';
import { readClinicCompliance } from '../../db/compliance.store.ts';
import { matchCustomerKeys } from '../customers/customer-keys.ts';

/** A row as read from the clinic's file, by column. */
export interface RawConsumptionRow { line: number; key: string; kind: string; date: string; amount: string; project: string; ref: string }

/** Header words of each column (Chinese and English exports of booking systems and HIS). */
const HEADERS: Record<Exclude<keyof RawConsumptionRow, 'line'>, RegExp> = {
  key: /external|外部|userid|客户id|手机|电话|phone|mobile|备注|remark|客户|姓名|name/i,
  kind: /类型|种类|kind|type/i,
  date: /日期|时间|date|time/i,
  amount: /金额|实收|消费额|amount|yuan|price/i,
  project: /项目|品项|project|item|service/i,
  ref: /单号|流水|订单|编号|ref|order|receipt/i,
};
const COLUMNS = ['key', 'kind', 'date', 'amount', 'project', 'ref'] as const;

/**
 * Picks the columns of a sheet by its header row (客户/手机号/外部联系人ID, 类型, 日期, 金额, 项目,
 * 单号); without a recognisable header, the columns are taken in that order.
 */
export function consumptionRowsFromSheet(sheet: string[][]): RawConsumptionRow[] {
  const [first] = sheet;
  if (!first) return [];
  const found = new Map<string, number>();
  // Most specific first, so "消费金额" is the amount and not the kind, "客户手机" the key.
  for (const column of ['ref', 'amount', 'date', 'project', 'kind', 'key'] as const) {
    const index = first.findIndex((cell, i) => ![...found.values()].includes(i) && HEADERS[column].test(cell));
    if (index >= 0) found.set(column, index);
  }
  const header = found.has('key') && found.has('date');
  const at = (column: (typeof COLUMNS)[number]) => (header ? found.get(column) ?? -1 : COLUMNS.indexOf(column));
  return sheet.slice(header ? 1 : 0).map((cells, index) => {
    const cell = (column: (typeof COLUMNS)[number]) => (at(column) >= 0 ? (cells[at(column)] ?? '').trim() : '');
    return { line: index + (header ? 2 : 1), key: cell('key'), kind: cell('kind'), date: cell('date'), amount: cell('amount'), project: cell('project'), ref: cell('ref') };
  });
}

/** 到店/visit → visit; 消费/购买/purchase (or an amount above zero without a kind) → purchase. */
function readKind(cell: string, amountYuan: number | null): 'visit' | 'purchase' | null {
  if (/^(到店|到诊|就诊|复诊|visit)$/i.test(cell)) return 'visit';
  if (/^(消费|购买|购买项目|收费|purchase)$/i.test(cell)) return 'purchase';
  if (cell === '') return amountYuan !== null && amountYuan > 0 ? 'purchase' : 'visit';
  return null;
}

/**
 * A date (and optional time) as clinics write it, or an Excel serial, read as wall-clock time in
 * the clinic's time zone (clinic_settings.time_zone) → ISO-8601 with that zone's offset then.
 */
function readDate(cell: string, timeZone: string): string | null {
  const serial = excelSerialDate(cell);
  if (serial) {
    const minutes = Math.round((Number(cell) % 1) * 1440);
    return isoInZone(zonedInstant(serial, Math.floor(minutes / 60), minutes % 60, timeZone), timeZone);
  }
  const match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(cell.trim());
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  // Rejects 2026-02-31, 24:00 and the like: the calendar must give back the day written.
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return isoInZone(zonedInstant(day.toISOString().slice(0, 10), h, mi, timeZone) + s * 1000, timeZone);
}

/** An amount in yuan (¥3,800.00, 3800元), null when the cell is empty. */
function readAmount(cell: string): number | 'invalid' | null {
  const cleaned = cell.replace(/[¥￥,，\s]|元/g, '');
  if (cleaned === '') return null;
  const value = Number(cleaned);
  return Number.isFinite(value) && value >= 0 && value <= 10_000_000 ? value : 'invalid';
}

/**
 * Reads, checks and matches each row: the customer (`matchCustomerKeys`), the kind, the date, the
 * amount, and the source system's reference (a row without one gets a hash of its content, so
 * importing the same file twice adds nothing). Rows already imported are `duplicate`.
 */
export async function checkConsumptionRows(em: EntityManager, source: string, rows: RawConsumptionRow[]): Promise<ConsumptionImportRow[]> {
  const { timeZone } = await readClinicCompliance(em);
  const matches = await matchCustomerKeys(em, rows.map((row) => row.key));
  const checked = rows.map((row): ConsumptionImportRow => {
    const amount = readAmount(row.amount);
    const amountYuan = amount === 'invalid' ? null : amount;
    const kind = readKind(row.kind, amountYuan);
    const occurredAt = readDate(row.date, timeZone);
    const externalRef = row.ref || `row:${createHash('sha256').update([row.key, row.kind, row.date, row.amount, row.project].join('\u0000')).digest('hex').slice(0, 32)}`;
    const match = row.key ? matches.get(row.key) ?? 'no_match' : null;
    const error = !row.key ? 'missing_key'
      : typeof match === 'string' ? match
        : !occurredAt ? 'invalid_date'
          : amount === 'invalid' ? 'invalid_amount'
            : !kind ? 'invalid_kind'
              : row.project.length > 100 || externalRef.length > 128 ? 'too_long' : null;
    return {
      line: row.line, key: row.key, match: match && typeof match !== 'string' ? match : null, kind, occurredAt, amountYuan, project: row.project || null, externalRef, error,
    };
  });
  const refs = checked.filter((row) => !row.error).map((row) => row.externalRef);
  if (refs.length > 0) {
    const existing = new Set((await em.getConnection().execute<Array<{ external_ref: string }>>(
      `select external_ref from customer_consumptions where source = ? and external_ref in (select jsonb_array_elements_text(?::jsonb))`, [source, JSON.stringify(refs)])).map((r) => r.external_ref));
    const seen = new Set<string>();
    for (const row of checked) {
      if (row.error) continue;
      if (existing.has(row.externalRef) || seen.has(row.externalRef)) row.error = 'duplicate';
      seen.add(row.externalRef);
    }
  }
  return checked;
}

/** Writes visits and purchases (a re-sent `source` + `externalRef` is ignored); answers how many were new. */
export async function insertConsumptions(
  em: EntityManager, source: string,
  records: Array<{ externalUserId: string; kind: 'visit' | 'purchase'; occurredAt: string; amountYuan?: number | null; project?: string | null; externalRef: string }>,
): Promise<number> {
  if (records.length === 0) return 0;
  const inserted = await em.getConnection().execute<Array<{ id: string }>>(
    `insert into customer_consumptions (external_userid, kind, occurred_at, amount_fen, project, source, external_ref, created_at)
     select x.id, x.kind, x.at::timestamptz, x.fen, x.project, ?, x.ref, now()
       from jsonb_to_recordset(?::jsonb) as x(id text, kind text, at text, fen bigint, project text, ref text)
     on conflict (source, external_ref) do nothing returning id`,
    [source, JSON.stringify(records.map((r) => ({
      id: r.externalUserId, kind: r.kind, at: r.occurredAt, fen: Math.round((r.amountYuan ?? 0) * 100), project: r.project ?? null, ref: r.externalRef,
    })))]);
  return inserted.length;
}
