import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { chooseOption, errorNextTo, fieldLabelled, healthyReport, jsonResponse, mountDashboard, settle, signedInAs, signedOut, stubNetwork, resetAfterEachTest } from './support.ts';

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

/** Types into the login form and submits it. */
async function fillAndSubmit(w: VueWrapper, username: string, password: string): Promise<void> {
  await w.get('[data-testid="login-username"]').setValue(username);
  await w.get('[data-testid="login-password"]').setValue(password);
  await w.get('[data-testid="login-submit"]').trigger('submit');
  await settle();
}

describe('sign-in page', () => {
  it('is where a signed-out visitor lands, in Chinese, and says which field is empty', async () => {
    const fetchMock = stubNetwork({ 'GET /api/auth/me': signedOut });
    const mounted = await mountDashboard('/');
    wrapper = mounted;
    expect(mounted.router.currentRoute.value.name).toBe('login');
    expect(wrapper.text()).toContain('登录');
    expect(wrapper.find('[data-testid="health-database"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="user-menu"]').exists()).toBe(false);

    await wrapper.get('[data-testid="login-submit"]').trigger('submit');
    await settle();
    expect(await errorNextTo(wrapper, '用户名')).toBe('请输入用户名');
    expect(await errorNextTo(wrapper, '密码')).toBe('请输入密码');
    // Typing a username and leaving the field takes its message away; the password's stays.
    await fieldLabelled(wrapper, '用户名').control.setValue('admin');
    await fieldLabelled(wrapper, '用户名').control.trigger('blur');
    await vi.waitFor(() => expect(fieldLabelled(wrapper!, '用户名').error()).toBeNull());
    expect(fieldLabelled(wrapper, '密码').error()).toBe('请输入密码');
    // In English, the message is English.
    await wrapper.get('[data-testid="lang-switch"]').trigger('click');
    await vi.waitFor(() => expect(fieldLabelled(wrapper!, 'Password').error()).toBe('Enter your password'));
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'POST')).toBe(false);
  });

  it('shows a wrong password inline, in Chinese and then English, and clears the password', async () => {
    stubNetwork({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/login': () => jsonResponse({ error: { code: 'invalid_credentials', message: 'The username or password is wrong.' } }, 401),
    });
    const mounted = await mountDashboard('/login');
    wrapper = mounted;
    await fillAndSubmit(wrapper, 'admin', 'wrong-password');

    const error = wrapper.get('[data-testid="login-error"]');
    expect(error.attributes('role')).toBe('alert');
    expect(error.text()).toBe('用户名或密码错误');
    expect((wrapper.get('[data-testid="login-password"]').element as HTMLInputElement).value).toBe('');
    expect(mounted.router.currentRoute.value.name).toBe('login');

    await wrapper.get('[data-testid="lang-switch"]').trigger('click');
    await fillAndSubmit(wrapper, 'admin', 'wrong-again');
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('The username or password is wrong');
  });

  it('says how long to wait after too many attempts', async () => {
    stubNetwork({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/login': () => jsonResponse({ error: { code: 'too_many_attempts', message: 'Too many failed sign-ins for this username; try again in 14 minutes.' } }, 429),
    });
    wrapper = await mountDashboard('/login');
    await fillAndSubmit(wrapper, 'admin', 'guess');
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('登录失败次数过多，请 14 分钟后再试');
  });

  it('signs in, returns to the page asked for, and sends the CSRF token from then on', async () => {
    let signedIn = false;
    const fetchMock = stubNetwork({
      'GET /api/auth/me': () => (signedIn ? jsonResponse(signedInAs('admin')) : signedOut(undefined)),
      'POST /api/auth/login': (init) => {
        signedIn = true;
        expect(JSON.parse(String(init?.body))).toEqual({ username: 'boss', password: 'correct-horse' });
        return jsonResponse({ ...signedInAs('admin', { username: 'boss', displayName: '王院长' }), csrfToken: 'token-from-login' });
      },
      'GET /api/users': () => jsonResponse({ users: [signedInAs('admin', { username: 'boss', displayName: '王院长' }).user] }),
      'POST /api/auth/logout': () => jsonResponse({ ok: true }),
      'GET /api/health/details': () => jsonResponse(healthyReport()),
    });
    const mounted = await mountDashboard('/users');
    wrapper = mounted;
    expect(mounted.router.currentRoute.value.name).toBe('login');
    expect(mounted.router.currentRoute.value.query.redirect).toBe('/users');

    await fillAndSubmit(wrapper, '  boss ', 'correct-horse');
    // The users page is loaded lazily, like in the browser.
    await vi.waitFor(() => expect(mounted.router.currentRoute.value.name).toBe('users'));
    await settle();
    expect(wrapper.get('[data-testid="user-menu"]').text()).toContain('王院长');
    expect(wrapper.get('[data-testid="user-menu"]').text()).toContain('管理员');
    expect(wrapper.get('[data-testid="users-table"]').text()).toContain('boss');

    await wrapper.get('[data-testid="logout"]').trigger('click');
    await settle();
    const logoutCall = fetchMock.mock.calls.find(([url]) => String(url) === '/api/auth/logout');
    expect((logoutCall?.[1]?.headers as Record<string, string>)['x-csrf-token']).toBe('token-from-login');
    expect(logoutCall?.[1]?.credentials).toBe('same-origin');
    expect(mounted.router.currentRoute.value.name).toBe('login');
  });

  it('asks for a new password after signing in with a generated one, and only then opens the dashboard', async () => {
    let mustChange = false;
    const fetchMock = stubNetwork({
      'GET /api/auth/me': () => (mustChange ? jsonResponse({ ...signedInAs('admin'), mustChangePassword: true }) : signedOut(undefined)),
      'POST /api/auth/login': () => {
        mustChange = true;
        return jsonResponse({ ...signedInAs('admin'), mustChangePassword: true });
      },
      'POST /api/auth/change-password': (init) => {
        const body = JSON.parse(String(init?.body)) as { currentPassword: string; newPassword: string };
        if (body.currentPassword !== 'generated-pass') return jsonResponse({ error: { code: 'wrong_password', message: 'currentPassword: wrong' } }, 400);
        mustChange = false;
        return jsonResponse({ ...signedInAs('admin'), mustChangePassword: false });
      },
      'GET /api/health/details': () => jsonResponse(healthyReport()),
      'GET /api/users': () => jsonResponse({ users: [signedInAs('admin').user] }),
    });
    const mounted = await mountDashboard('/login');
    wrapper = mounted;
    await fillAndSubmit(wrapper, 'admin', 'generated-pass');
    expect(mounted.router.currentRoute.value.name).toBe('login');
    expect(wrapper.text()).toContain('修改初始密码');

    // The rest of the dashboard stays closed until the password is changed.
    await mounted.router.push('/users');
    await settle();
    expect(mounted.router.currentRoute.value.name).toBe('login');

    const change = async (current: string, next: string, again: string) => {
      await wrapper!.get('[data-testid="change-password-current"]').setValue(current);
      await wrapper!.get('[data-testid="change-password-new"]').setValue(next);
      await wrapper!.get('[data-testid="change-password-confirm"]').setValue(again);
      await wrapper!.get('[data-testid="change-password-form"]').trigger('submit');
      await settle();
    };
    await change('generated-pass', 'brand-new-pass', 'brand-new-typo');
    expect(await errorNextTo(wrapper, '再次输入新密码')).toBe('两次输入的新密码不一致');
    expect(fetchMock.mock.calls.some(([url]) => String(url) === '/api/auth/change-password')).toBe(false);
    await change('not-it', 'brand-new-pass', 'brand-new-pass');
    expect(await errorNextTo(wrapper, '当前密码')).toBe('当前密码不正确');
    await change('generated-pass', 'brand-new-pass', 'brand-new-pass');
    // On to the page that was asked for meanwhile.
    await vi.waitFor(() => expect(mounted.router.currentRoute.value.name).toBe('users'));
  });

  it('goes to sign-in, and back afterwards, when the session ends while a page is open', async () => {
    let sessionAlive = true;
    stubNetwork({
      'GET /api/auth/me': () => (sessionAlive ? jsonResponse(signedInAs('admin')) : signedOut(undefined)),
      'GET /api/health/details': () => jsonResponse(healthyReport()),
      'GET /api/audit-logs': () => (sessionAlive
        ? jsonResponse({ items: [], total: 0, page: 1, pageSize: 50 })
        : jsonResponse({ error: { code: 'unauthenticated', message: 'Sign in to continue.' } }, 401)),
    });
    const mounted = await mountDashboard('/system');
    wrapper = mounted;
    sessionAlive = false;
    await mounted.router.push('/audit-logs');
    await settle();
    expect(mounted.router.currentRoute.value.name).toBe('login');
    expect(mounted.router.currentRoute.value.query.redirect).toBe('/audit-logs');
  });
});

describe('roles in the dashboard', () => {
  it('shows a viewer their role, no users, audit or system links, and keeps them off the users and system pages', async () => {
    stubNetwork({
      'GET /api/auth/me': () => jsonResponse(signedInAs('viewer', { displayName: '前台小张' })),
      'GET /api/health/details': () => jsonResponse(healthyReport()),
    });
    const mounted = await mountDashboard('/users');
    wrapper = mounted;
    expect(mounted.router.currentRoute.value.name).toBe('home');
    expect(wrapper.get('[data-testid="user-menu"]').text()).toContain('前台小张');
    expect(wrapper.get('[data-testid="user-menu"]').text()).toContain('只读成员');
    expect(wrapper.find('[data-testid="nav-home"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="nav-users"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="nav-audit-logs"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="nav-system"]').exists()).toBe(false);
    // A viewer lands on 数据概览, not on the admin-only 系统状态 page.
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('数据概览');
    await mounted.router.push('/system');
    await settle();
    expect(mounted.router.currentRoute.value.name).toBe('home');
    expect(wrapper.find('[data-testid="health-database"]').exists()).toBe(false);
  });

  it('lets an admin create a user and shows why the last admin cannot be demoted', async () => {
    const me = signedInAs('admin', { username: 'boss' }).user;
    stubNetwork({
      'GET /api/health/details': () => jsonResponse(healthyReport()),
      'GET /api/users': () => jsonResponse({ users: [me] }),
      'POST /api/users': (init) => {
        const body = JSON.parse(String(init?.body)) as { username: string };
        if (body.username === 'boss') return jsonResponse({ error: { code: 'username_taken', message: 'username: "boss" is already taken' } }, 409);
        return jsonResponse({ user: { ...me, id: 2, username: body.username, role: 'marketer', displayName: '<b>小李</b>' } }, 201);
      },
      'PATCH /api/users/1': () => jsonResponse({ error: { code: 'last_admin', message: 'last admin' } }, 409),
    });
    wrapper = await mountDashboard('/users');

    await wrapper.get('[data-testid="new-user-submit"]').trigger('submit');
    expect(wrapper.get('[data-testid="user-create-form"]').text()).toContain('请输入用户名');
    expect(wrapper.get('[data-testid="user-create-form"]').text()).toContain('密码至少 8 位');

    await wrapper.get('[data-testid="new-user-username"]').setValue('boss');
    await wrapper.get('[data-testid="new-user-password"]').setValue('long-enough');
    await wrapper.get('[data-testid="new-user-submit"]').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="new-user-error"]').text()).toBe('用户名已被占用');

    await wrapper.get('[data-testid="new-user-username"]').setValue('xiaoli');
    await wrapper.get('[data-testid="new-user-password"]').setValue('long-enough');
    await chooseOption(wrapper, '[data-testid="new-user-role"]', '营销人员');
    await wrapper.get('[data-testid="new-user-submit"]').trigger('submit');
    await settle();
    const row = wrapper.findAll('tr').find((tr) => tr.find('[data-testid="user-row"][data-username="xiaoli"]').exists())!;
    expect(row.text()).toContain('<b>小李</b>');
    expect(row.text()).toContain('营销人员');
    expect(row.find('b').exists()).toBe(false);

    await chooseOption(wrapper, '[data-testid="user-role-select"][data-username="boss"]', '只读成员');
    const bossRow = wrapper.findAll('tr').find((tr) => tr.find('[data-testid="user-row"][data-username="boss"]').exists())!;
    expect(bossRow.get('[data-testid="user-row-error"]').text()).toContain('最后一位启用的管理员');
    // The select goes back to what is stored.
    expect(bossRow.get('[data-testid="user-role-select"]').text()).toContain('管理员');
    expect(bossRow.get('[data-testid="user-role-select"]').text()).not.toContain('只读成员');
  });
});
