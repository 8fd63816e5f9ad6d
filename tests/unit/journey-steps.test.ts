import { describe, expect, it } from 'vitest';
import { describeStep, previewTimeline, stepProblems, type JourneyStep } from '../../common/journeys.schema.ts';

describe('the journey editor’s reading of steps', () => {
  const steps: JourneyStep[] = [
    { kind: 'send', text: '欢迎！送您一份护肤小贴士' },
    { kind: 'wait', duration: { days: 1, hours: 2, minutes: 0 } },
    { kind: 'branch', condition: { type: 'weather', is: 'rain' }, elseSkip: 1 },
    { kind: 'send', text: '下雨天也要注意补水防晒，皮肤屏障更需要呵护哦' },
    { kind: 'tag', tag: '旅程完成' },
  ];

  it('describes each step as staff read it, long texts cut short', () => {
    expect(steps.map(describeStep)).toEqual([
      '发送「欢迎！送您一份护肤小贴士」', '等待 1 天 2 小时', '若雨天则继续，否则跳过 1 步', '发送「下雨天也要注意补水防晒，皮肤屏障更需要呵…」', '打标签「旅程完成」',
    ]);
    expect(previewTimeline(steps).map((e) => e.label)).toEqual(['+0h', '+1d 2h', '+1d 2h', '+1d 2h', '+1d 2h']);
  });

  it('names the step of each problem, and finds none in a valid list', () => {
    expect(stepProblems(steps)).toEqual([]);
    const problems = stepProblems([{ kind: 'send', text: '' }, { kind: 'branch', condition: { type: 'booked' }, elseSkip: 3 }]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^第 1 步（text）：/);
    expect(problems[1]).toMatch(/^第 2 步（elseSkip）：step 2 skips past the last step/);
    expect(stepProblems([])).toHaveLength(1);
  });
});
