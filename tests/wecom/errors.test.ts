import { describe, expect, it } from 'vitest';
import { classifyErrcode, WeComApiError, WECOM_ERRCODE_TABLE } from '../../wecom/errors.ts';
import type { WeComErrorCategory } from '../../wecom/errors.ts';

// The expected taxonomy, written out independently of the table it checks.
const EXPECTED: Array<[number, WeComErrorCategory, boolean]> = [
  [40014, 'token', true],
  [42001, 'token', true],
  [41001, 'token', false],
  [45009, 'rate_limited', true],
  [45033, 'rate_limited', true],
  [-1, 'rate_limited', true],
  [41096, 'rate_limited', true],
  [41063, 'not_ready', true],
  [40001, 'configuration', false],
  [40013, 'configuration', false],
  [40091, 'configuration', false],
  [40056, 'configuration', false],
  [48002, 'configuration', false],
  [60011, 'configuration', false],
  [60020, 'configuration', false],
  [84061, 'relationship_gone', false],
  [40096, 'relationship_gone', false],
  [40003, 'invalid_request', false],
  [60111, 'invalid_request', false],
  [40058, 'invalid_request', false],
  [41041, 'invalid_request', false],
  [41048, 'invalid_request', false],
  [41050, 'invalid_request', false],
  [41051, 'invalid_request', false],
  [81013, 'invalid_request', false],
];

describe('errcode table', () => {
  it.each(EXPECTED)('%i → %s (retryable: %s)', (errcode, category, retryable) => {
    const rule = classifyErrcode(errcode);
    expect(rule.category).toBe(category);
    expect(rule.retryable).toBe(retryable);
    expect(rule.reason.length).toBeGreaterThan(10);
    expect(rule.messages.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(rule.messages.en).toMatch(/[A-Za-z]{3}/);
  });

  it('has no row this test does not pin down', () => {
    expect(Object.keys(WECOM_ERRCODE_TABLE).map(Number).sort()).toEqual(EXPECTED.map(([c]) => c).sort());
  });

  it('treats an unlisted errcode as unknown and not retryable', () => {
    expect(classifyErrcode(99_999)).toMatchObject({ category: 'unknown', retryable: false });
  });

  it('tells the admin what to fix, in Chinese and English', () => {
    expect(classifyErrcode(60020).messages.zh).toContain('可信 IP');
    expect(classifyErrcode(60020).messages.en).toMatch(/Trusted IP/);
    expect(classifyErrcode(48002).messages.zh).toContain('可调用接口的应用');
    expect(classifyErrcode(48002).messages.en).toMatch(/Customer Contact/);
    expect(classifyErrcode(40001).messages.zh).toContain('Secret 不正确');
    expect(classifyErrcode(40001).messages.en).toMatch(/Secret is wrong/);
  });
});

describe('WeComApiError', () => {
  it('carries errcode, errmsg, category, retryability, path and messages', () => {
    const error = new WeComApiError({ errcode: 60020, errmsg: 'not allow to access from your ip', path: '/cgi-bin/gettoken' });
    expect(error).toMatchObject({
      errcode: 60020,
      errmsg: 'not allow to access from your ip',
      category: 'configuration',
      retryable: false,
      path: '/cgi-bin/gettoken',
      messages: classifyErrcode(60020).messages,
    });
    expect(error.message).toContain('60020');
    expect(error.message).toContain('/cgi-bin/gettoken');
  });
});
