import { describe, expect, it } from 'vitest';
import { composeDigest } from '../../activities/staff-notice.ts';
import { NOTICE_PACE } from '../../db/staff-notices.store.ts';

describe('a staff notice digest', () => {
  it('lists every queued notice when they fit in one app message', () => {
    const text = composeDigest(['新客户 林小雨 来自小红书（12:01 添加）', '新客户 王芳 来自抖音（12:02 添加）']);
    expect(text.split('\n')).toEqual([
      '【通知汇总 2 条】企业微信每分钟最多向您推送 30 条应用消息，超出的通知合并如下：',
      '1. 新客户 林小雨 来自小红书（12:01 添加）',
      '2. 新客户 王芳 来自抖音（12:02 添加）',
    ]);
  });

  it('stays under message/send\'s 2,048 bytes and says how many it could not list', () => {
    const texts = Array.from({ length: 500 }, (_, i) => `新客户 来宾${i} 来自小红书（12:01 添加）`);
    const text = composeDigest(texts);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(NOTICE_PACE.digestBytes);
    const lines = text.split('\n');
    const listed = lines.filter((line) => /^\d+\. /.test(line)).length;
    expect(listed).toBeGreaterThan(20);
    expect(lines.at(-1)).toBe(`……另有 ${500 - listed} 条，请在后台「客户」页查看。`);
    expect(lines[0]).toContain('【通知汇总 500 条】');
  });
});
