/**
 * Placeholders a mass message's text may carry. A 群发 task sends one identical text to every
 * recipient of one staff member, so only per-sender values can be filled in; per-customer ones
 * ({name}, {phone}…) are refused when the content is saved.
 */

/** Variables filled per batch at submission: `{staff}` = the sending staff member's name. */
export const SENDER_VARIABLES = ['staff'] as const;
/** One supported variable. */
export type SenderVariable = (typeof SENDER_VARIABLES)[number];

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The `{word}` placeholders in `text` that are not sender variables, in order of appearance, once each. */
export function unsupportedVariables(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) if (!(SENDER_VARIABLES as readonly string[]).includes(match[1]!)) found.add(match[0]);
  return [...found];
}

/** `text` with each sender variable replaced; a missing value becomes an empty string rather than a visible placeholder. */
export function fillSenderVariables(text: string, values: Partial<Record<SenderVariable, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => ((SENDER_VARIABLES as readonly string[]).includes(name) ? (values[name as SenderVariable] ?? '') : whole));
}
