import { describe, expect, it } from 'vitest';
import type { JourneyStep } from '../../common/journeys.schema.ts';
import { createAppI18n } from '../../web/src/i18n/index.ts';
import { describeIssue, describeOffset, describeStep, type Translate } from '../../web/src/pages/automations/journey-text.ts';

const zh = createAppI18n('zh-CN').global.t as Translate;
const en = createAppI18n('en').global.t as Translate;

describe('journey steps in the dashboard’s languages', () => {
  const steps: JourneyStep[] = [
    { kind: 'send', text: '欢迎！送您一份护肤小贴士' },
    { kind: 'wait', duration: { days: 1, hours: 2, minutes: 0 } },
    { kind: 'waitUntil', time: '10:00' },
    { kind: 'branch', condition: { type: 'weather', is: 'rain' }, elseSkip: 1 },
    { kind: 'send', text: '下雨天也要注意补水防晒，皮肤屏障更需要呵护哦' },
    { kind: 'branch', condition: { type: 'tag', tag: '高意向' }, elseSkip: 2 },
    { kind: 'tag', tag: '旅程完成' },
    { kind: 'wait', duration: { days: 0, hours: 0, minutes: 30 } },
    { kind: 'exit' },
  ];

  it('describes each step as staff read it, long texts cut short', () => {
    expect(steps.map((step) => describeStep(zh, step))).toEqual([
      '发送「欢迎！送您一份护肤小贴士」', '等待 1 天 2 小时', '等到 10:00', '若雨天则继续，否则跳过 1 步', '发送「下雨天也要注意补水防晒，皮肤屏障更需要呵…」',
      '若有标签「高意向」则继续，否则跳过 2 步', '打标签「旅程完成」', '等待 30 分钟', '结束旅程',
    ]);
    expect(steps.map((step) => describeStep(en, step))).toEqual([
      'Send “欢迎！送您一份护肤小贴士”', 'Wait 1 d 2 h', 'Wait until 10:00', 'If rainy, go on; else skip 1 step(s)', 'Send “下雨天也要注意补水防晒，皮肤屏障更需要呵…”',
      'If tagged “高意向”, go on; else skip 2 step(s)', 'Tag “旅程完成”', 'Wait 30 min', 'End the journey',
    ]);
    expect(describeStep(en, { kind: 'branch', condition: { type: 'booked' }, elseSkip: 1 })).toBe('If booked, go on; else skip 1 step(s)');
  });

  it('says timeline offsets in hours under a day, else days and hours', () => {
    const hour = 3_600_000;
    expect([0, 10 * hour, 24 * hour, 26 * hour].map((ms) => describeOffset(zh, ms))).toEqual(['+0 小时', '+10 小时', '+1 天', '+1 天 2 小时']);
    expect([0, 26 * hour].map((ms) => describeOffset(en, ms))).toEqual(['+0h', '+1d 2h']);
  });

  it('names the step of each problem (第 N 步 / Step N) in both languages', () => {
    expect(describeIssue(zh, { step: 1, problem: 'pastEnd' })).toBe('第 2 步：跳过的步数超出了最后一步');
    expect(describeIssue(en, { step: 0, problem: 'text' })).toBe('Step 1: Enter the text to send (up to 2000 characters)');
    expect(describeIssue(zh, { step: null, problem: 'noSteps' })).toBe('至少需要一个步骤');
  });
});
