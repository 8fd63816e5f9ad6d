/**
 * Appointment reminder lead times as a marketer writes them ("24, 2, 0.5": hours before) and as
 * the API keeps them (minutes), both ways.
 */

/** Minutes as hours, comma-separated ("24, 2, 0.5"). */
export function hoursText(minutes: readonly number[]): string {
  return minutes.map((m) => String(Math.round((m / 60) * 100) / 100)).join(', ');
}

/** "24, 2" (or "24，2") as minutes, largest first; null unless 1–5 lead times each from 1 minute to 14 days. */
export function parseHours(text: string): number[] | null {
  const parts = text.split(/[,，、\s]+/).filter(Boolean);
  if (parts.length < 1 || parts.length > 5 || !parts.every((part) => /^\d+(\.\d+)?$/.test(part))) return null;
  const minutes = [...new Set(parts.map((part) => Math.round(Number(part) * 60)))].sort((a, b) => b - a);
  return minutes.every((m) => m >= 1 && m <= 14 * 24 * 60) ? minutes : null;
}
