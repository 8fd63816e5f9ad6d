import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { errorNextTo, fieldLabelled, jsonResponse, mountDashboard, settle, stubNetwork, resetAfterEachTest } from './support.ts';

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

describe('data retention on the audit-log page', () => {
  it('shows the current days, saves new ones (empty keeps forever) and says why a value is refused', async () => {
    let saved: unknown = null;
    let refuse = false;
    stubNetwork({
      'GET /api/audit-logs?page=1&pageSize=50': () => jsonResponse({ items: [], total: 0, page: 1, pageSize: 50 }),
      'GET /api/settings/retention': () => jsonResponse({ callbackLogDays: 180, messageDays: null }),
      'PUT /api/settings/retention': (init) => {
        saved = JSON.parse(String(init?.body));
        if (refuse) return jsonResponse({ error: { code: 'invalid_request', message: 'callbackLogDays: days must be a whole number between 1 and 3650' } }, 400);
        return jsonResponse(saved);
      },
    });
    wrapper = await mountDashboard('/audit-logs');
    await settle();
    expect((wrapper.get('[data-testid="retention-callback-days"]').element as HTMLInputElement).value).toBe('180');
    expect((wrapper.get('[data-testid="retention-message-days"]').element as HTMLInputElement).value).toBe('');

    await wrapper.get('[data-testid="retention-message-days"]').setValue('365');
    await wrapper.get('[data-testid="retention-form"]').trigger('submit');
    await settle();
    expect(saved).toEqual({ callbackLogDays: 180, messageDays: 365 });
    expect(wrapper.get('[data-testid="retention-saved"]').text()).toBe('已保存');

    // A value the API would refuse is explained next to its field, and nothing is sent.
    saved = null;
    await fieldLabelled(wrapper, '回调记录保留天数').control.setValue('0');
    await wrapper.get('[data-testid="retention-form"]').trigger('submit');
    await settle();
    expect(await errorNextTo(wrapper, '回调记录保留天数')).toBe('请填写 1–3650 之间的整数天数，或留空表示永久保留');
    expect(fieldLabelled(wrapper, '消息保留天数').error()).toBeNull();
    expect(saved).toBeNull();

    // A refusal by the server is said in the user's language, not in the server's words.
    await fieldLabelled(wrapper, '回调记录保留天数').control.setValue('30');
    refuse = true;
    await wrapper.get('[data-testid="retention-form"]').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="retention-error"]').text()).toBe('提交的内容不完整或格式不正确，请检查后重试');
  });

  it('keeps its fields disabled until the current days have loaded, so nothing typed is overwritten', async () => {
    let answer!: (response: Response) => void;
    const fetchMock = stubNetwork({
      'GET /api/audit-logs': () => jsonResponse({ items: [], total: 0, page: 1, pageSize: 50 }),
      'GET /api/settings/retention': () => new Promise<Response>((resolve) => { answer = resolve; }),
    });
    wrapper = await mountDashboard('/audit-logs');
    await settle();
    const days = () => wrapper!.get('[data-testid="retention-callback-days"]').element as HTMLInputElement;
    expect(days().disabled).toBe(true);
    expect(wrapper.get('[data-testid="retention-form"]').attributes('aria-busy')).toBe('true');
    await wrapper.get('[data-testid="retention-form"]').trigger('submit');
    await settle();
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'PUT')).toBe(false);

    answer(jsonResponse({ callbackLogDays: 90, messageDays: 30 }));
    await settle();
    expect(days().disabled).toBe(false);
    expect(days().value).toBe('90');
    expect(wrapper.get('[data-testid="retention-form"]').attributes('aria-busy')).toBe('false');
  });
});
