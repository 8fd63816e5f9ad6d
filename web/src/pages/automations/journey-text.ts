import type { JourneyStep, StepIssue } from '../../../../common/journeys.schema.ts';

/** vue-i18n's `t` as these helpers need it (a component's `useI18n().t` or the app instance's `global.t`). */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** Texts longer than this are cut short (with …) where a step is described in one line. */
const SHORT_TEXT = 20;

/** One step as the editor's timeline and the customers' positions read it: 发送「欢迎…」, 等待 1 天 2 小时 / Send “Welcome…”, Wait 1 d 2 h. */
export function describeStep(t: Translate, step: JourneyStep): string {
  switch (step.kind) {
    case 'wait': {
      const { days, hours, minutes } = step.duration;
      const parts = [
        days ? t('automations.describe.days', { n: days }) : '',
        hours ? t('automations.describe.hours', { n: hours }) : '',
        minutes || (!days && !hours) ? t('automations.describe.minutes', { n: minutes }) : '',
      ].filter(Boolean);
      return t('automations.describe.wait', { duration: parts.join(' ') });
    }
    case 'waitUntil': return t('automations.describe.waitUntil', { time: step.time });
    case 'send': return t('automations.describe.send', { text: step.text.length > SHORT_TEXT ? `${step.text.slice(0, SHORT_TEXT)}…` : step.text });
    case 'tag': return t('automations.describe.tag', { tag: step.tag });
    case 'branch': {
      const c = step.condition;
      const when = c.type === 'tag' ? t('automations.describe.hasTag', { tag: c.tag })
        : c.type === 'booked' ? t('automations.describe.booked') : t(`automations.weather.${c.is}`);
      return t('automations.describe.branch', { when, n: step.elseSkip });
    }
    default: return t('automations.describe.exit');
  }
}

/** A timeline offset from entry: +10 小时, +1 天 2 小时 / +10h, +1d 2h. */
export function describeOffset(t: Translate, ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  if (hours < 24) return t('automations.offset.hours', { n: hours });
  const days = Math.floor(hours / 24);
  return hours % 24 ? t('automations.offset.daysHours', { d: days, h: hours % 24 }) : t('automations.offset.days', { n: days });
}

/** A validation problem as one sentence, naming its step: 第 2 步：跳过的步数超出了最后一步 / Step 2: …. */
export function describeIssue(t: Translate, issue: StepIssue): string {
  const problem = t(`automations.problems.${issue.problem}`);
  return issue.step === null ? problem : t('automations.problems.atStep', { n: issue.step + 1, problem });
}
