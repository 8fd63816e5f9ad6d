import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES } from '../../common/error-codes.ts';
import { en } from '../../web/src/i18n/en.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('API error codes in the dashboard', () => {
  it('has a zh-CN and an English sentence for every code the API throws, so no raw server text is shown', () => {
    const thrown = new Set<string>();
    for (const file of sources('api')) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:AppError\(\d+, |errorBody\(|reject\(c, \d+, )'([a-z_]+)'/g)) thrown.add(match[1]!);
    }
    expect(thrown.size).toBeGreaterThan(15);
    const missing = [...thrown].filter((code) => !(API_ERROR_CODES as readonly string[]).includes(code));
    expect(missing).toEqual([]);
    for (const code of API_ERROR_CODES) {
      expect(zhCN.errors[code], code).toMatch(/\S/);
      expect(en.errors[code], code).toMatch(/\S/);
      expect(zhCN.errors[code]).not.toBe(en.errors[code]);
    }
  });
});
