import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A parsed XML element: text leaves stay strings, nested elements become records or arrays. */
export type XmlValue = string | XmlRecord | XmlValue[];
/** A parsed XML element with children. */
export type XmlRecord = { [key: string]: XmlValue };

const parser = new XMLParser({
  // Numbers would lose precision (MsgId exceeds 2^53) and IDs such as "007" would lose zeros.
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  trimValues: true,
});

/** Parses `<xml>…</xml>` into the record under the root element; null when it is not such XML. */
export function parseXmlRoot(text: string): XmlRecord | null {
  if (XMLValidator.validate(text) !== true) return null;
  const doc: unknown = parser.parse(text);
  if (typeof doc !== 'object' || doc === null) return null;
  const root = (doc as Record<string, unknown>)['xml'];
  // An empty <xml/> parses to '' - treat it as a root without children.
  if (root === '') return {};
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return null;
  return root as XmlRecord;
}

/** The text of a direct child element, or undefined when absent or not a text leaf. */
export function xmlText(record: XmlRecord, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
