import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { UserView } from '../../common/auth.schema.ts';
import { jsonResponse, mountDashboard, settle, signedInAs, stubNetwork, resetAfterEachTest } from './support.ts';

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

const admin = signedInAs('admin', { username: 'boss' }).user;
const nurse: UserView = { ...admin, id: 2, username: 'nurse', displayName: '护士小李', role: 'marketer' };

/** The table row (all its cells) holding `username`'s marker. */
function rowOf(w: VueWrapper, username: string) {
  const row = w.findAll('tr').find((tr) => tr.find(`[data-testid="user-row"][data-username="${username}"]`).exists());
  if (!row) throw new Error(`no row for ${username}`);
  return row;
}

/** Types into a field the dialog teleported to <body>. */
function typeInto(selector: string, value: string): void {
  const input = document.body.querySelector<HTMLInputElement>(selector);
  if (!input) throw new Error(`no ${selector}`);
  input.value = value;
  input.dispatchEvent(new Event('input'));
}

function clickIn(selector: string): void {
  const target = document.body.querySelector<HTMLElement>(selector);
  if (!target) throw new Error(`no ${selector}`);
  target.click();
}

describe('users page', () => {
  it('disables and re-enables a user from its row', async () => {
    const fetchMock = stubNetwork({
      'GET /api/users': () => jsonResponse({ users: [admin, nurse] }),
      'PATCH /api/users/2': (init) => jsonResponse({ user: { ...nurse, ...(JSON.parse(String(init?.body)) as Partial<UserView>) } }),
    });
    wrapper = await mountDashboard('/users');
    await rowOf(wrapper, 'nurse').get('[data-testid="user-toggle-disabled"]').trigger('click');
    await settle();
    const patch = fetchMock.mock.calls.find(([url, init]) => String(url) === '/api/users/2' && init?.method === 'PATCH');
    expect(JSON.parse(String(patch?.[1]?.body))).toEqual({ disabled: true });
    expect(rowOf(wrapper, 'nurse').get('[data-role="status"]').text()).toBe('已停用');
    expect(rowOf(wrapper, 'nurse').get('[data-testid="user-toggle-disabled"]').text()).toBe('启用');

    await rowOf(wrapper, 'nurse').get('[data-testid="user-toggle-disabled"]').trigger('click');
    await settle();
    const calls = fetchMock.mock.calls.filter(([url, init]) => String(url) === '/api/users/2' && init?.method === 'PATCH');
    expect(JSON.parse(String(calls[1]?.[1]?.body))).toEqual({ disabled: false });
    expect(rowOf(wrapper, 'nurse').get('[data-role="status"]').text()).toBe('正常');
  });

  it('resets a password in a dialog, refusing a short one before asking the server', async () => {
    const fetchMock = stubNetwork({
      'GET /api/users': () => jsonResponse({ users: [admin, nurse] }),
      'POST /api/users/2/reset-password': () => jsonResponse({ ok: true }),
    });
    wrapper = await mountDashboard('/users');
    await rowOf(wrapper, 'nurse').get('[data-testid="user-reset-password"]').trigger('click');
    await settle();
    expect(document.body.querySelector('[data-testid="reset-password-dialog"]')?.textContent).toContain('nurse');

    typeInto('[data-testid="reset-password-input"]', 'short');
    clickIn('[data-testid="reset-password-submit"]');
    await settle();
    expect(document.body.querySelector('[data-testid="reset-password-dialog"]')?.textContent).toContain('密码至少 8 位');
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes('reset-password'))).toBe(false);

    typeInto('[data-testid="reset-password-input"]', 'a-new-password-1');
    clickIn('[data-testid="reset-password-submit"]');
    await settle();
    const call = fetchMock.mock.calls.find(([url]) => String(url) === '/api/users/2/reset-password');
    expect(JSON.parse(String(call?.[1]?.body))).toEqual({ password: 'a-new-password-1' });
    expect(wrapper.get('[data-testid="users-notice"]').text()).toBe('已重置 nurse 的密码');
  });
});
