import { describe, expect, it } from 'vitest';
import { DEFAULT_FORBIDDEN_TERMS, findTermHits, quietDelayMs, readableText, wecomMonthlyCap } from '../../common/compliance.ts';

describe('compliance rules', () => {
  it('finds every forbidden term with its reason, in text order, link titles included', () => {
    const text = readableText({ text: '第一家！效果最好，100%满意', attachments: [{ type: 'link', title: '术前术后对比' }] });
    const hits = findTermHits(text, DEFAULT_FORBIDDEN_TERMS);
    expect(hits.map((h) => h.term)).toEqual(['第一', '最好', '100%', '术前术后']);
    expect(hits[0]!.reason).toContain('广告法');
    expect(findTermHits('冬季补水护理，欢迎预约', DEFAULT_FORBIDDEN_TERMS)).toEqual([]);
  });

  it('defers inside quiet hours in the clinic\'s zone (wrapping midnight), never otherwise', () => {
    const quiet = { start: '21:00', end: '09:00' };
    // 22:30 in Shanghai = 14:30 UTC: wait until 09:00, 10.5 h.
    expect(quietDelayMs(new Date('2026-12-01T14:30:00Z'), quiet, 'Asia/Shanghai')).toBe(10.5 * 3600_000);
    expect(quietDelayMs(new Date('2026-12-01T04:00:00Z'), quiet, 'Asia/Shanghai')).toBe(0);
    expect(quietDelayMs(new Date('2026-12-01T14:30:00Z'), null, 'Asia/Shanghai')).toBe(0);
  });

  it('caps a customer at the number of days in the month, in the clinic\'s zone', () => {
    expect(wecomMonthlyCap(new Date('2026-02-10T00:00:00Z'), 'Asia/Shanghai')).toBe(28);
    // 2026-11-30 17:00 UTC is already 1 December in Shanghai.
    expect(wecomMonthlyCap(new Date('2026-11-30T17:00:00Z'), 'Asia/Shanghai')).toBe(31);
    expect(wecomMonthlyCap(new Date('2026-11-30T17:00:00Z'), 'UTC')).toBe(30);
  });
});
