/**
 * SPEC §5 as pure rules, shared by the dashboard (hits shown while the marketer types), the API
 * (checked at save and launch) and the send path's screening activity. No I/O here.
 */

/** Marketing needs consent; care (appointment reminders, post-treatment follow-up) does not. */
export const MESSAGE_CLASSES = ['marketing', 'care'] as const;
/** The class of a message, which decides the consent rule. */
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

/**
 * Why a recipient was not submitted. Every skip is recorded with one of these, never dropped:
 * - no_consent: marketing, and the customer never granted consent;
 * - consent_withdrawn: marketing, and the customer withdrew it;
 * - wecom_monthly_cap: WeCom lets a customer receive "days in this month" mass messages a month;
 * - clinic_monthly_cap: the clinic's own, lower, monthly cap;
 * - no_relationship: no staff member follows the customer any more (nobody can send);
 * - care_opt_out: a care message, and the customer asked for none.
 */
export const SKIP_REASONS = ['no_consent', 'consent_withdrawn', 'wecom_monthly_cap', 'clinic_monthly_cap', 'no_relationship', 'care_opt_out'] as const;
/** One skip reason. */
export type SkipReason = (typeof SKIP_REASONS)[number];

/**
 * Why a submitted recipient did not receive the message:
 * - rejected: in add_msg_template's fail_list (WeCom refused the id);
 * - not_friend: send result 2, no longer a friend of the sender;
 * - over_quota: send result 3, over WeCom's per-customer monthly quota;
 * - not_confirmed: the sender never confirmed the task before the send window closed;
 * - cancelled: the task was cancelled before the sender confirmed it.
 */
export const FAILURE_REASONS = ['rejected', 'not_friend', 'over_quota', 'not_confirmed', 'cancelled'] as const;
/** One failure reason. */
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A forbidden term and why China's advertising rules forbid it for medical aesthetics. */
export type ForbiddenTerm = { term: string; reason: string };

/**
 * The default medical-advertising list (Advertising Law art. 16, 28 and the medical-advertising
 * rules): absolute claims, guaranteed results, before/after promises, price bait. Admins extend it.
 */
export const DEFAULT_FORBIDDEN_TERMS: readonly ForbiddenTerm[] = [
  { term: '最好', reason: '绝对化用语(广告法第九条) / Absolute claim (Advertising Law art. 9)' },
  { term: '最佳', reason: '绝对化用语(广告法第九条) / Absolute claim (Advertising Law art. 9)' },
  { term: '第一', reason: '绝对化用语(广告法第九条) / Absolute claim (Advertising Law art. 9)' },
  { term: '顶级', reason: '绝对化用语(广告法第九条) / Absolute claim (Advertising Law art. 9)' },
  { term: '根治', reason: '医疗广告不得表示功效、安全性的断言或保证(第十六条) / Medical ads may not assert a cure (art. 16)' },
  { term: '保证', reason: '医疗广告不得保证效果(第十六条) / Medical ads may not guarantee results (art. 16)' },
  { term: '包好', reason: '医疗广告不得保证效果(第十六条) / Medical ads may not guarantee results (art. 16)' },
  { term: '100%', reason: '医疗广告不得保证治愈率、有效率(第十六条) / No cure or success rates (art. 16)' },
  { term: '无效退款', reason: '医疗广告不得承诺效果(第十六条) / No promise of results (art. 16)' },
  { term: '无副作用', reason: '医疗广告不得断言安全性(第十六条) / No safety assertions (art. 16)' },
  { term: '零风险', reason: '医疗广告不得断言安全性(第十六条) / No safety assertions (art. 16)' },
  { term: '永久', reason: '医疗广告不得断言功效(第十六条) / No efficacy assertions (art. 16)' },
  { term: '前后对比', reason: '医疗美容广告不得使用治疗前后对比(医疗广告管理办法) / No before/after comparisons (medical-ad rules)' },
  { term: '术前术后', reason: '医疗美容广告不得使用治疗前后对比(医疗广告管理办法) / No before/after comparisons (medical-ad rules)' },
  { term: '明星同款', reason: '不得利用代言人、患者名义作推荐证明(第十六条) / No endorsements or testimonials (art. 16)' },
  { term: '免费', reason: '价格诱导:以免费为诱饵招揽(医疗美容广告执法指南) / Price bait: "free" lures (enforcement guide)' },
  { term: '0元', reason: '价格诱导:以低价为诱饵招揽(医疗美容广告执法指南) / Price bait (enforcement guide)' },
];

/** One place where a forbidden term occurs in the text, with its reason. */
export type TermHit = { term: string; reason: string; index: number };

/** Every occurrence of every term in `text` (case-insensitive), in text order. */
export function findTermHits(text: string, terms: readonly ForbiddenTerm[]): TermHit[] {
  const hits: TermHit[] = [];
  const haystack = text.toLowerCase();
  for (const { term, reason } of terms) {
    const needle = term.toLowerCase();
    if (!needle) continue;
    for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) hits.push({ term, reason, index: at });
  }
  return hits.sort((a, b) => a.index - b.index);
}

/** Everything of a message a customer reads: its text and the titles/descriptions of attachments. */
export function readableText(content: { text: string; attachments?: ReadonlyArray<{ type: string; title?: string; desc?: string }> }): string {
  const parts = [content.text];
  for (const a of content.attachments ?? []) parts.push(a.title ?? '', a.desc ?? '');
  return parts.filter(Boolean).join('\n');
}

/** Quiet hours as "HH:MM" wall-clock times in the clinic's zone; start > end wraps midnight. */
export type QuietHours = { start: string; end: string } | null;

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Wall-clock parts of `at` in `timeZone` (Intl, so it works in the browser and in Node). */
export function zonedParts(at: Date, timeZone: string): { year: number; month: number; day: number; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(at).map((p) => [p.type, p.value]),
  );
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * How many milliseconds from `at` until quiet hours end; 0 when `at` is outside them (or there
 * are none). Quiet hours defer a send, they never skip a recipient.
 */
export function quietDelayMs(at: Date, quiet: QuietHours, timeZone: string): number {
  if (!quiet) return 0;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return 0;
  const now = zonedParts(at, timeZone).minutes;
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return 0;
  const wait = (end - now + 24 * 60) % (24 * 60);
  return wait * 60_000 - (at.getTime() % 60_000);
}

/** WeCom's per-customer monthly cap: the number of days in the month of `at` in `timeZone`. */
export function wecomMonthlyCap(at: Date, timeZone: string): number {
  const { year, month } = zonedParts(at, timeZone);
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
