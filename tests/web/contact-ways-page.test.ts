import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ContactWayView } from '../../common/contact-way.schema.ts';
import { en } from '../../web/src/i18n/en.ts';
import { errorNextTo, fieldLabelled, jsonResponse, mountDashboard, settle, signedInAs, stubNetwork, resetAfterEachTest } from './support.ts';

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

const XSS = '<img src=x onerror=alert(1)>';

function way(overrides: Partial<ContactWayView> = {}): ContactWayView {
  return {
    id: 7, configId: 'cfg_7', type: 1, scene: 2, style: null, remark: '小红书', skipVerify: true, state: 'xhs', users: ['zhangsan'], parties: [],
    isTemp: false, expiresIn: null, chatExpiresIn: null, unionid: null, isExclusive: false, conclusions: null,
    welcomeText: '{name}您好', hasQrCode: true, createdAt: '2026-11-25T08:00:00.000Z', updatedAt: '2026-11-25T08:00:00.000Z',
    figures: { added: 12, lost: 2, leads: 9, net: 10 },
    ...overrides,
  };
}

/** The import's run as `GET|POST /api/contact-ways/import` answer it. */
const importRun = (running: boolean, figures: { contactWays: number; contactWaysCreated: number }) => ({
  run: {
    workflowId: 'sync:contact-ways', runId: 'r1', status: running ? 'RUNNING' : 'COMPLETED', running, temporalUiUrl: null,
    progress: {
      phase: running ? 'contact_ways' : 'done', trigger: 'import', staff: 0, tags: 0, ...figures, pagesDone: 0, customersSynced: 0, estimatedTotal: 0,
      startedAt: '2026-12-01T00:00:00.000Z', finishedAt: running ? null : '2026-12-01T00:00:05.000Z',
    },
  },
});

const listOf = (items: ContactWayView[], simulateScanAvailable = false) => () => jsonResponse({ items, simulateScanAvailable });
const members = () => jsonResponse({ members: [{ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: null }] });

async function openCreate(w: VueWrapper): Promise<void> {
  await w.get('[data-testid="cw-create"]').trigger('click');
  await settle();
}

async function submitForm(w: VueWrapper): Promise<void> {
  await w.get('[data-testid="cw-form"]').trigger('submit');
  await settle();
}

describe('channel codes page', () => {
  it('lists codes with their figures and a QR image served by the API, customer text as text', async () => {
    stubNetwork({ 'GET /api/contact-ways': listOf([way(), way({ id: 8, configId: 'cfg_8', remark: XSS, state: 'dy', figures: { added: 0, lost: 0, leads: 0, net: 0 } })]), 'GET /api/contact-ways/members': members });
    wrapper = await mountDashboard('/wework/contact-ways');
    expect(wrapper.findAll('[data-testid="cw-row"]')).toHaveLength(2);
    // The table rows holding each code's marker (figures and QR sit in other cells of the row).
    const rows = wrapper.findAll('tr').filter((tr) => tr.find('[data-testid="cw-row"]').exists());
    expect(rows[0]!.get('[data-role="added"]').text()).toBe('12');
    expect(rows[0]!.get('[data-role="lost"]').text()).toBe('2');
    expect(rows[0]!.get('[data-role="leads"]').text()).toBe('9');
    expect(rows[0]!.get('[data-testid="cw-qr-thumb"]').attributes('src')).toBe('/api/contact-ways/7/qr.png');
    expect(rows[0]!.get('[data-testid="cw-qr-download"]').attributes('href')).toBe('/api/contact-ways/7/qr.png?download=1');
    expect(rows[1]!.get('[data-role="name"]').text()).toBe(XSS);
    expect(wrapper.find('img[src="x"]').exists()).toBe(false);
  });

  it('shows WeCom\'s rules next to each field before anything is sent: state ≤ 30, temp codes single-person, ≤ 14 days', async () => {
    const fetchMock = stubNetwork({ 'GET /api/contact-ways': listOf([]), 'GET /api/contact-ways/members': members });
    wrapper = await mountDashboard('/wework/contact-ways');
    await openCreate(wrapper);
    await fieldLabelled(wrapper, '成员 UserID').control.setValue('zhangsan');
    const state = fieldLabelled(wrapper, 'state（渠道标识）');
    await state.control.setValue('x'.repeat(31));
    // Leaving the field is enough: the message replaces the field's hint, before any submit.
    await state.control.trigger('blur');
    expect(await errorNextTo(wrapper, 'state（渠道标识）')).toBe('state 最多 30 个字符');
    expect(state.item.text()).not.toContain('客户来源记为');
    expect(wrapper.get('[data-testid="cw-error-state"]').text()).toBe('state 最多 30 个字符');
    // The message follows the language.
    await wrapper.get('[data-testid="lang-switch"]').trigger('click');
    await vi.waitFor(() => expect(fieldLabelled(wrapper!, 'state (channel label)').error()).toBe(en.contactWays.errors.state_too_long));
    await wrapper.get('[data-testid="lang-switch"]').trigger('click');
    await settle();

    await state.control.setValue('xhs');
    await wrapper.get('[data-testid="cw-is-temp"] input').setValue(true);
    await fieldLabelled(wrapper, '成员 UserID').control.setValue('zhangsan, lisi');
    await submitForm(wrapper);
    expect(await errorNextTo(wrapper, '成员 UserID')).toBe('临时会话只支持单人活码（一位成员）');

    await fieldLabelled(wrapper, '成员 UserID').control.setValue('zhangsan');
    await fieldLabelled(wrapper, '二维码有效期（天）').control.setValue('15');
    await submitForm(wrapper);
    expect(await errorNextTo(wrapper, '二维码有效期（天）')).toBe('临时会话二维码有效期最长 14 天');
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'POST')).toBe(false);
  });

  it('asks before a stray click throws away what was typed into a new code', async () => {
    stubNetwork({ 'GET /api/contact-ways': listOf([]), 'GET /api/contact-ways/members': members });
    wrapper = await mountDashboard('/wework/contact-ways');
    await openCreate(wrapper);
    await fieldLabelled(wrapper, '备注（渠道名）').control.setValue('抖音');
    await wrapper.get('[data-testid="cw-cancel"]').trigger('click');
    await settle();
    const ask = document.querySelector('.el-message-box');
    expect(ask?.textContent).toContain('放弃未保存的修改？');
    // 继续编辑: the form and its text are still there.
    const stay = [...document.querySelectorAll('.el-message-box button')].find((button) => button.textContent?.trim() === '继续编辑') as HTMLButtonElement;
    stay.click();
    await settle();
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="cw-form"]').exists()).toBe(true));
    expect((fieldLabelled(wrapper, '备注（渠道名）').control.element as HTMLInputElement).value).toBe('抖音');
  });

  it('creates a code with members picked from WeCom and a welcome template previewed with its variables', async () => {
    let sent: unknown;
    const fetchMock = stubNetwork({
      'GET /api/contact-ways': listOf([]),
      'GET /api/contact-ways/members': members,
      'POST /api/contact-ways': (init) => {
        sent = JSON.parse(init!.body as string);
        return jsonResponse({ contactWay: way({ id: 9, remark: '抖音', state: 'douyin' }) }, 201);
      },
    });
    wrapper = await mountDashboard('/wework/contact-ways');
    await openCreate(wrapper);
    await wrapper.get('[data-testid="cw-member"][data-userid="zhangsan"]').trigger('click');
    await wrapper.get('[data-testid="cw-remark"]').setValue('抖音');
    await wrapper.get('[data-testid="cw-state"]').setValue('douyin');
    await wrapper.get('[data-testid="cw-welcome"]').setValue('您好');
    for (const variable of wrapper.findAll('[data-testid="cw-welcome-variable"]')) await variable.trigger('click');
    expect(wrapper.get('[data-testid="cw-welcome-preview"]').text()).toContain('您好王小美zhangsan抖音（同意接收优惠信息的链接）');
    await submitForm(wrapper);
    expect(sent).toMatchObject({ type: 1, scene: 2, users: ['zhangsan'], remark: '抖音', state: 'douyin', welcomeText: '您好{name}{staff}{channel}{consent}' });
    expect(wrapper.get('[data-testid="cw-notice"]').text()).toBe('已创建渠道活码「抖音」');
    expect(wrapper.findAll('[data-testid="cw-row"]')).toHaveLength(1);
    expect(fetchMock).toHaveBeenCalled();
  });

  it('says when WeCom did not make the channel tag as the code was saved (the code is saved all the same)', async () => {
    stubNetwork({
      'GET /api/contact-ways': listOf([]),
      'GET /api/contact-ways/members': members,
      'POST /api/contact-ways': () => jsonResponse({ contactWay: way({ id: 9, remark: '抖音', state: 'douyin' }), channelTag: { group: '渠道', name: '抖音', inWeCom: false } }, 201),
    });
    wrapper = await mountDashboard('/wework/contact-ways');
    await openCreate(wrapper);
    await wrapper.get('[data-testid="cw-member"][data-userid="zhangsan"]').trigger('click');
    await wrapper.get('[data-testid="cw-state"]').setValue('douyin');
    await submitForm(wrapper);
    expect(wrapper.get('[data-testid="cw-notice"]').text()).toBe('已创建渠道活码「抖音」 企业微信暂未创建渠道标签「渠道/抖音」，首位客户扫码接入时会自动创建。');
  });

  it('shows an API refusal beside its field (state already used)', async () => {
    stubNetwork({
      'GET /api/contact-ways': listOf([]),
      'GET /api/contact-ways/members': members,
      'POST /api/contact-ways': () => jsonResponse({ error: { code: 'state_taken', message: 'state: taken', field: 'state' } }, 409),
    });
    wrapper = await mountDashboard('/wework/contact-ways');
    await openCreate(wrapper);
    await wrapper.get('[data-testid="cw-users"]').setValue('zhangsan');
    await wrapper.get('[data-testid="cw-state"]').setValue('xhs');
    await submitForm(wrapper);
    expect(await errorNextTo(wrapper, 'state（渠道标识）')).toBe('已有渠道活码使用了这个 state，请换一个');
  });

  it('deletes only after confirmation', async () => {
    const fetchMock = stubNetwork({
      'GET /api/contact-ways': listOf([way()]),
      'GET /api/contact-ways/members': members,
      'DELETE /api/contact-ways/7': () => jsonResponse({ ok: true }),
    });
    wrapper = await mountDashboard('/wework/contact-ways');
    await wrapper.get('[data-testid="cw-delete"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="cw-delete-question"]').text()).toContain('小红书');
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'DELETE')).toBe(false);
    await wrapper.get('[data-testid="cw-delete-confirm"]').trigger('click');
    await settle();
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'DELETE')).toBe(true);
    expect(wrapper.find('[data-testid="cw-row"]').exists()).toBe(false);
  });

  it('offers "simulate a scan" only with the simulator, and reports the import', async () => {
    stubNetwork({
      'GET /api/contact-ways': listOf([way()], true),
      'GET /api/contact-ways/members': members,
      'POST /api/contact-ways/import': () => jsonResponse(importRun(true, { contactWays: 2, contactWaysCreated: 1 }), 202),
      // The import runs as a workflow: the page asks for its progress every second until it ends.
      'GET /api/contact-ways/import': () => jsonResponse(importRun(false, { contactWays: 5, contactWaysCreated: 3 })),
      'POST /api/contact-ways/7/simulate-scan': () => jsonResponse({ externalUserId: 'wm1', userId: 'zhangsan', customerName: '王小美' }),
    });
    wrapper = await mountDashboard('/wework/contact-ways');
    await wrapper.get('[data-testid="cw-simulate"]').trigger('click');
    await settle();
    await wrapper.get('[data-testid="cw-simulate-name"]').setValue('王小美');
    await wrapper.get('[data-testid="cw-simulate-go"]').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="cw-notice"]').text()).toContain('王小美');
    await wrapper.get('[data-testid="cw-import"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="cw-import-progress"]').text()).toContain('已读取 2 个活码（新增 1 个）');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="cw-notice"]').text()).toBe('导入完成：企业微信中共 5 个，新增 3 个，更新 2 个'), { timeout: 5_000, interval: 100 });
    expect(wrapper.find('[data-testid="cw-import-progress"]').exists()).toBe(false);
    wrapper.unmount();

    stubNetwork({ 'GET /api/contact-ways': listOf([way()], false), 'GET /api/contact-ways/members': members });
    wrapper = await mountDashboard('/wework/contact-ways');
    expect(wrapper.find('[data-testid="cw-simulate"]').exists()).toBe(false);
  });

  it('gives a viewer the list without any write control', async () => {
    const fetchMock = stubNetwork({ 'GET /api/auth/me': () => jsonResponse(signedInAs('viewer')), 'GET /api/contact-ways': listOf([way()], true) });
    wrapper = await mountDashboard('/wework/contact-ways');
    expect(wrapper.findAll('[data-testid="cw-row"]')).toHaveLength(1);
    for (const testid of ['cw-create', 'cw-import', 'cw-edit', 'cw-delete', 'cw-simulate']) {
      expect(wrapper.find(`[data-testid="${testid}"]`).exists()).toBe(false);
    }
    expect(wrapper.find('[data-testid="cw-qr-download"]').exists()).toBe(true);
    expect(fetchMock.mock.calls.some(([input]) => String(input).includes('/members'))).toBe(false);
  });
});
