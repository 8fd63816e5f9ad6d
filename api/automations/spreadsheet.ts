import { inflateRawSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';

/**
 * Reads the first sheet of a spreadsheet the clinic exports (CSV, or Excel .xlsx) into rows of
 * text cells. xlsx is a zip of XML parts: the central directory lists them, each part is stored
 * or deflated; cells are shared strings, inline strings or numbers (dates are day serials).
 */
export function readSpreadsheet(name: string, bytes: Uint8Array): string[][] {
  const buffer = Buffer.from(bytes);
  if (buffer.subarray(0, 2).toString('latin1') === 'PK' || /\.xlsx$/i.test(name)) return readXlsx(buffer);
  return readCsv(buffer.toString('utf8').replace(/^\uFEFF/, ''));
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
export function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === '\t') { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows.map((r) => r.map((c) => c.trim())).filter((r) => r.some((c) => c !== ''));
}

/** The parts of a zip archive by name (stored or deflated entries). */
function unzip(buffer: Buffer): Map<string, Buffer> {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip archive');
  const count = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  const parts = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = buffer.readUInt16LE(offset + 10);
    const size = buffer.readUInt32LE(offset + 20);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const local = buffer.readUInt32LE(offset + 42);
    const name = buffer.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(dataStart, dataStart + size);
    parts.set(name, method === 8 ? inflateRawSync(data) : data);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Text of a shared-string item: plain `<t>` or rich-text runs `<r><t>`. */
function itemText(item: Record<string, unknown>): string {
  const text = (t: unknown) => (typeof t === 'object' && t !== null ? String((t as Record<string, unknown>)['#text'] ?? '') : String(t ?? ''));
  if (item.t !== undefined) return text(item.t);
  return asArray(item.r as Array<Record<string, unknown>>).map((run) => text(run.t)).join('');
}

/** Column index of a cell reference (A1 → 0, AB7 → 27). */
function columnOf(ref: string): number {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, '')) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function readXlsx(buffer: Buffer): string[][] {
  const parts = unzip(buffer);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
  const shared = parts.get('xl/sharedStrings.xml');
  const strings = shared ? asArray((parser.parse(shared.toString('utf8')) as { sst: { si?: unknown } }).sst.si as Array<Record<string, unknown>>).map(itemText) : [];
  const sheetName = [...parts.keys()].filter((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name)).sort()[0];
  if (!sheetName) throw new Error('the workbook has no sheet');
  const sheet = parser.parse(parts.get(sheetName)!.toString('utf8')) as { worksheet: { sheetData: { row?: unknown } } };
  const rows: string[][] = [];
  for (const row of asArray(sheet.worksheet.sheetData.row as Array<{ c?: unknown }>)) {
    const cells: string[] = [];
    for (const cell of asArray(row.c as Array<Record<string, unknown>>)) {
      const type = cell['@t'];
      const raw = cell.v === undefined ? '' : String(cell.v);
      const value = type === 's' ? strings[Number(raw)] ?? '' : type === 'inlineStr' ? itemText((cell.is ?? {}) as Record<string, unknown>) : raw;
      cells[columnOf(String(cell['@r'] ?? 'A1'))] = value.trim();
    }
    rows.push(Array.from(cells, (c) => c ?? ''));
  }
  return rows.filter((r) => r.some((c) => c !== ''));
}

/** An Excel day serial (1900 date system) as 'YYYY-MM-DD', or null when the cell is no such number. */
export function excelSerialDate(cell: string): string | null {
  if (!/^\d{4,5}(\.\d+)?$/.test(cell)) return null;
  const days = Math.floor(Number(cell));
  if (days < 1 || days > 80_000) return null;
  return new Date(Date.UTC(1899, 11, 30) + days * 86_400_000).toISOString().slice(0, 10);
}
