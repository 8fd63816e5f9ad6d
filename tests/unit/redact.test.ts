import { describe, expect, it } from 'vitest';
import { addLogSink, createLogger } from '../../logging/logger.ts';
import { redactText, redactValue, rememberSecret } from '../../logging/redact.ts';

describe('log and failure redaction', () => {
  it('masks the query of any URL, so ky\'s "Request failed … https://…?corpsecret=…" loses the Secret', () => {
    const message = 'Request failed with a network error: GET https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3cr3tValue123';
    const redacted = redactText(message);
    expect(redacted).not.toContain('S3cr3tValue123');
    expect(redacted).toContain('https://qyapi.weixin.qq.com/cgi-bin/gettoken?[redacted]');
  });

  it('masks named credentials in queries, JSON and text', () => {
    expect(redactText('access_token=abc123def456&x=1')).toBe('access_token=[redacted]&x=1');
    expect(redactText('{"corpsecret":"abcdefgh","ok":1}')).toBe('{"corpsecret":"[redacted]","ok":1}');
    expect(redactText('password: hunter2hunter2')).toBe('password: [redacted]');
  });

  it('masks a remembered secret wherever it appears', () => {
    rememberSecret('tok-7f3a9c2e1b');
    expect(redactText('upstream said tok-7f3a9c2e1b was bad')).toBe('upstream said [redacted] was bad');
  });

  it('reduces errors to name, message and code, following the cause chain with the same rules', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED http://x/cgi-bin/user/get?access_token=zzzzzzzz'), { code: 'ECONNREFUSED', config: { url: 'secret-bearing' } });
    const value = redactValue(new Error('outer', { cause })) as Record<string, unknown>;
    expect(JSON.stringify(value)).not.toContain('zzzzzzzz');
    expect(JSON.stringify(value)).not.toContain('secret-bearing');
    expect(value).toMatchObject({ name: 'Error', message: 'outer', cause: { code: 'ECONNREFUSED' } });
  });

  it('writes every logger line redacted', () => {
    const lines: string[] = [];
    const remove = addLogSink((_level, line) => lines.push(line));
    try {
      createLogger('test').warn('call failed', new Error('GET http://wecom/cgi-bin/gettoken?corpsecret=abcdefabcdef'), { token: 'x' });
    } finally {
      remove();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[test\] call failed /);
    expect(lines[0]).not.toContain('abcdefabcdef');
    expect(lines[0]).toContain('"token":"[redacted]"');
  });
});
