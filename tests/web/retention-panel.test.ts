import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mountDashboard, settle, stubNetwork, resetAfterEachTest } from './support.ts';

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

describe('data retention on the audit-log page', () => {
  it('shows the current days, saves new ones (empty keeps forever) and says why a value is refused', async () => {
    let saved: unknown = null;
    stubNetwork({
      'GET /api/audit-logs?page=1&pageSize=50': () => jsonResponse({ items: [], total: 0, page: 1, pageSize: 50 }),
      'GET /api/settings/retention': () => jsonResponse({ callbackLogDays: 180, messageDays: null }),
      'PUT /api/settings/retention': (init) => {
        saved = JSON.parse(String(init?.body));
        const body = saved as { callbackLogDays: number | null };
        if (body.callbackLogDays === 0) return jsonResponse({ error: { code: 'invalid_request', message: 'callbackLogDays: days must be a whole number between 1 and 3650' } }, 400);
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

    await wrapper.get('[data-testid="retention-callback-days"]').setValue('0');
    await wrapper.get('[data-testid="retention-form"]').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="retention-error"]').text()).toContain('1 and 3650');
  });
});
