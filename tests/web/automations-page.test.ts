import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { JourneyDetail, JourneySummary } from '../../web/src/api/automations.ts';
import { jsonResponse, mountDashboard, resetAfterEachTest, settle, signedInAs, stubNetwork } from './support.ts';

let wrapper: VueWrapper | undefined;

resetAfterEachTest();

function detail(id: number, name: string, text: string, customer: string): JourneyDetail {
  return {
    id, name, channel: `channel_${id}`, active: true, currentVersion: 1,
    versions: [{ version: 1, steps: [{ kind: 'send', text }] }],
    counts: [{ version: 1, stepIndex: 0, status: 'active', customers: 1 }],
    enrollments: [{ externalUserId: `wm${id}`, name: customer, version: 1, stepIndex: 0, status: 'active', exitReason: null, waitingUntil: null }],
  };
}
const summary = (d: JourneyDetail): JourneySummary => ({ id: d.id, name: d.name, channel: d.channel, active: true, currentVersion: 1, steps: [], customers: 1, activeCustomers: 1 });
const a = detail(1, '小红书旅程', '欢迎来自小红书的你', '顾客甲');
const b = detail(2, '抖音旅程', '欢迎来自抖音的你', '顾客乙');

/** A route whose answer waits until the test lets it go. */
function held(body: unknown) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  return { route: async () => { await gate; return jsonResponse(body); }, release };
}

const button = (w: VueWrapper, name: string) => {
  const found = w.findAll('button').find((candidate) => candidate.text().includes(name));
  if (!found) throw new Error(`no button ${name}`);
  return found;
};
const nameInput = (w: VueWrapper) => w.get<HTMLInputElement>('#journey-name');

describe('automations page', () => {
  it('never shows journey A’s steps or customers while journey B loads', async () => {
    const slowB = held(b);
    stubNetwork({
      'GET /api/journeys': () => jsonResponse({ items: [summary(a), summary(b)] }),
      'GET /api/journeys/1': () => jsonResponse(a),
      'GET /api/journeys/2': slowB.route,
      'GET /api/appointments': () => jsonResponse({ items: [] }),
    });
    wrapper = await mountDashboard('/automations');
    await button(wrapper, '小红书旅程').trigger('click');
    await settle();
    expect(nameInput(wrapper).element.value).toBe('小红书旅程');
    expect(wrapper.get('[data-testid="journey-enrollments"]').text()).toContain('顾客甲');

    await button(wrapper, '抖音旅程').trigger('click');
    await settle();
    expect(wrapper.find('#journey-name').exists()).toBe(false);
    expect(wrapper.find('[data-testid="journey-enrollments"]').exists()).toBe(false);
    expect(wrapper.text()).not.toContain('欢迎来自小红书的你');

    slowB.release();
    await settle();
    expect(nameInput(wrapper).element.value).toBe('抖音旅程');
    expect(wrapper.get('[data-testid="journey-enrollments"]').text()).toContain('顾客乙');
    expect(wrapper.get('[data-testid="journey-enrollments"]').text()).toContain('第 1 步 · 发送「欢迎来自抖音的你」');
  });

  it('asks before a stray click throws unsaved edits away, and keeps them when told to stay', async () => {
    const fetchMock = stubNetwork({
      'GET /api/journeys': () => jsonResponse({ items: [summary(a), summary(b)] }),
      'GET /api/journeys/1': () => jsonResponse(a),
      'GET /api/journeys/2': () => jsonResponse(b),
      'GET /api/appointments': () => jsonResponse({ items: [] }),
    });
    wrapper = await mountDashboard('/automations');
    await button(wrapper, '小红书旅程').trigger('click');
    await settle();
    await nameInput(wrapper).setValue('小红书旅程（冬季）');

    await button(wrapper, '抖音旅程').trigger('click');
    await settle();
    const stay = [...document.body.querySelectorAll<HTMLButtonElement>('.el-message-box button')].find((el) => el.textContent?.includes('继续编辑'));
    expect(document.body.textContent).toContain('放弃未保存的修改？');
    stay!.click();
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle();
    expect(nameInput(wrapper).element.value).toBe('小红书旅程（冬季）');
    expect(fetchMock.mock.calls.some(([url]) => String(url).endsWith('/api/journeys/2'))).toBe(false);
  });

  it('says a refused save in the user’s language, never the server’s own text', async () => {
    stubNetwork({
      'GET /api/journeys': () => jsonResponse({ items: [] }),
      'POST /api/journeys': () => jsonResponse({ error: { code: 'journey_channel_taken', message: 'channel douyin already has journey 3' } }, 409),
      'GET /api/appointments': () => jsonResponse({ items: [] }),
      'GET /api/customers/filters': () => jsonResponse({ tags: [], channels: ['douyin', 'xiaohongshu'], staff: [] }),
    });
    wrapper = await mountDashboard('/automations');
    await nameInput(wrapper).setValue('抖音旅程');
    // The channel is chosen from the channel codes' states.
    const option = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find((item) => item.textContent?.trim() === 'douyin');
    option!.click();
    await settle();
    expect(wrapper.get('[data-testid="journey-validation"]').text()).toContain('第 1 步：请填写发送内容');
    await wrapper.get('textarea[aria-label="第 1 步 · 发送内容"]').setValue('欢迎');
    expect(wrapper.find('[data-testid="journey-validation"]').exists()).toBe(false);
    await wrapper.get('[data-testid="journey-editor"]').trigger('submit');
    await settle();
    const page = wrapper.get('[data-testid="automations-page"]').text();
    expect(page).toContain('该渠道已有旅程，请编辑现有旅程');
    expect(page).not.toContain('already has journey');
  });

  it('shows a read-only member the journeys and their customers, with nothing to edit or import', async () => {
    stubNetwork({
      'GET /api/auth/me': () => jsonResponse(signedInAs('viewer')),
      'GET /api/journeys': () => jsonResponse({ items: [summary(a)] }),
      'GET /api/journeys/1': () => jsonResponse(a),
      'GET /api/appointments': () => jsonResponse({ items: [] }),
    });
    wrapper = await mountDashboard('/automations');
    expect(wrapper.find('[data-testid="journey-new"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="birthday-upload"]').exists()).toBe(false);
    expect(wrapper.find('#journey-name').exists()).toBe(false);
    await button(wrapper, '小红书旅程').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="journey-enrollments"]').text()).toContain('顾客甲');
    expect(nameInput(wrapper).element.disabled).toBe(true);
    expect(wrapper.find('[data-testid="journey-save"]').exists()).toBe(false);
  });
});
