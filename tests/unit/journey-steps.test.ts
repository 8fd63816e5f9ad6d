import { describe, expect, it } from 'vitest';
import { previewTimeline, stepIssues, type JourneyStep } from '../../common/journeys.schema.ts';

describe('the journey editor’s reading of steps', () => {
  const steps: JourneyStep[] = [
    { kind: 'send', text: '欢迎！送您一份护肤小贴士' },
    { kind: 'wait', duration: { days: 1, hours: 2, minutes: 0 } },
    { kind: 'branch', condition: { type: 'weather', is: 'rain' }, elseSkip: 1 },
    { kind: 'send', text: '下雨天也要注意补水防晒，皮肤屏障更需要呵护哦' },
    { kind: 'tag', tag: '旅程完成' },
  ];
  const hour = 3_600_000;

  it('places each step on the timeline after the waits before it', () => {
    expect(previewTimeline(steps).map((e) => e.atMs / hour)).toEqual([0, 26, 26, 26, 26]);
    expect(previewTimeline([{ kind: 'waitUntil', time: '10:00' }, { kind: 'send', text: '早上好' }]).map((e) => e.atMs / hour)).toEqual([10, 10]);
  });

  it('names the step and the field of each problem, and finds none in a valid list', () => {
    expect(stepIssues(steps)).toEqual([]);
    expect(stepIssues([{ kind: 'send', text: '' }, { kind: 'branch', condition: { type: 'booked' }, elseSkip: 3 }])).toEqual([
      { step: 0, problem: 'text' },
      { step: 1, problem: 'pastEnd' },
    ]);
    expect(stepIssues([
      { kind: 'wait', duration: { days: 0, hours: 0, minutes: 0 } },
      { kind: 'waitUntil', time: '25:00' },
      { kind: 'tag', tag: ' ' },
      { kind: 'branch', condition: { type: 'tag', tag: '' }, elseSkip: 0 },
      { kind: 'exit' },
    ])).toEqual([
      { step: 0, problem: 'duration' },
      { step: 1, problem: 'time' },
      { step: 2, problem: 'tag' },
      { step: 3, problem: 'conditionTag' },
      { step: 3, problem: 'elseSkip' },
    ]);
    expect(stepIssues([])).toEqual([{ step: null, problem: 'noSteps' }]);
  });
});
