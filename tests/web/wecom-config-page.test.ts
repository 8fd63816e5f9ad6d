import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { ConnectionTestResult, WecomConfigView } from '../../common/wecom-config.schema.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';
import { errorNextTo, fieldLabelled, jsonResponse, mountDashboard, settle, signedInAs, stubNetwork, resetAfterEachTest } from './support.ts';

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

function configView(overrides: Partial<WecomConfigView> = {}): WecomConfigView {
  return {
    configured: true, corpId: 'ww_sim_corp', agentId: '1000002',
    corpSecret: { set: true, hint: '••••••••stuv' }, token: { set: true, hint: null }, encodingAesKey: { set: true, hint: '••••••••DEFG' },
    callbackUrl: 'http://localhost:3000/api/wework/callback', apiBase: 'http://127.0.0.1:3100',
    accessToken: { present: true, expiresAt: '2099-01-01T00:00:00.000Z' }, lastTest: null, updatedAt: '2026-11-25T08:00:00.000Z',
    ...overrides,
  };
}

const failedTest: ConnectionTestResult = {
  ok: false, testedAt: '2026-11-25T08:10:00.000Z', testedBy: 'admin-user',
  steps: [
    { step: 'credentials', ok: true, skipped: false, errcode: null, fix: null, detail: null },
    { step: 'gettoken', ok: true, skipped: false, errcode: null, fix: null, detail: null },
    {
      step: 'permission', ok: false, skipped: false, errcode: 60020, detail: 'not allow to access from your ip',
      fix: { zh: '服务器 IP 不在应用的企业可信 IP 中:请添加本服务器的出口 IP', en: 'This server\'s IP is not trusted: add its outbound IP to the app\'s Trusted IPs.' },
    },
  ],
};

describe('WeCom configuration page', () => {
  it('shows the Secret only masked, checks the form like the API, and keeps write-only fields empty on save', async () => {
    const fetchMock = stubNetwork({
      'GET /api/wecom/config': () => jsonResponse(configView()),
      'PUT /api/wecom/config': () => jsonResponse(configView({ agentId: '1000003' })),
      'POST /api/wecom/config/generate-aes-key': () => jsonResponse({ encodingAesKey: 'A'.repeat(43), token: 'T'.repeat(32) }),
    });
    wrapper = await mountDashboard('/wework/config');
    expect(fieldLabelled(wrapper, '企业 ID（CorpID）').control.element).toHaveProperty('value', 'ww_sim_corp');
    // The stored Secret never comes back: the field is empty, of type password, and only the masked hint says one is set.
    expect(fieldLabelled(wrapper, 'Secret').control.element).toHaveProperty('value', '');
    expect(fieldLabelled(wrapper, 'Secret').control.attributes('type')).toBe('password');
    expect(wrapper.get('[data-testid="wecom-secret-hint"]').text()).toContain('••••••••stuv');
    expect(wrapper.get('[data-testid="wecom-callback-url"]').element).toHaveProperty('value', 'http://localhost:3000/api/wework/callback');
    expect(wrapper.get('[data-testid="wecom-token-status"]').attributes('data-present')).toBe('true');

    await wrapper.get('[data-testid="wecom-aes-key"]').setValue('tooShort');
    await wrapper.get('[data-testid="wecom-agent-id"]').setValue('abc');
    await wrapper.get('[data-testid="wecom-config-form"]').trigger('submit');
    await settle();
    // Each message sits next to its own field, in place of the field's hint.
    expect(await errorNextTo(wrapper, 'EncodingAESKey')).toBe('EncodingAESKey 必须是 43 位字母或数字');
    expect(await errorNextTo(wrapper, 'AgentID')).toBe('AgentID 是应用的数字 ID');
    expect(fieldLabelled(wrapper, 'AgentID').item.text()).not.toContain(zhCN.wecomConfig.agentIdHint);
    expect(fieldLabelled(wrapper, '企业 ID（CorpID）').error()).toBeNull();
    expect(wrapper.get('[data-testid="wecom-agentId-error"]').text()).toBe('AgentID 是应用的数字 ID');
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'PUT')).toBe(false);

    await wrapper.get('[data-testid="wecom-generate-aes-key"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="wecom-aes-key"]').element).toHaveProperty('value', 'A'.repeat(43));
    await wrapper.get('[data-testid="wecom-agent-id"]').setValue('1000003');
    await wrapper.get('[data-testid="wecom-config-form"]').trigger('submit');
    await settle();
    const put = fetchMock.mock.calls.find(([, init]) => init?.method === 'PUT')!;
    expect(JSON.parse(put[1]!.body as string)).toEqual({ corpId: 'ww_sim_corp', agentId: '1000003', corpSecret: '', token: '', encodingAesKey: 'A'.repeat(43) });
    expect(wrapper.get('[data-testid="wecom-notice"]').text()).toBe('配置已保存');
    expect(wrapper.get('[data-testid="wecom-aes-key"]').element).toHaveProperty('value', '');
  });

  it('requires the Secret, Token and AES key the first time', async () => {
    stubNetwork({ 'GET /api/wecom/config': () => jsonResponse(configView({ configured: false, corpId: null, agentId: null, corpSecret: { set: false, hint: null }, token: { set: false, hint: null }, encodingAesKey: { set: false, hint: null } })) });
    wrapper = await mountDashboard('/wework/config');
    await wrapper.get('[data-testid="wecom-corp-id"]').setValue('ww123');
    await wrapper.get('[data-testid="wecom-agent-id"]').setValue('1000002');
    await wrapper.get('[data-testid="wecom-config-form"]').trigger('submit');
    await settle();
    expect(await errorNextTo(wrapper, 'Secret')).toBe('首次配置必须填写 Secret');
    expect(await errorNextTo(wrapper, '回调 Token')).toBe('首次配置必须填写回调 Token');
  });

  it('shows each step of "test connection" with the fix, in Chinese and then English', async () => {
    stubNetwork({
      'GET /api/wecom/config': () => jsonResponse(configView()),
      'POST /api/wecom/config/test': () => jsonResponse(failedTest),
    });
    wrapper = await mountDashboard('/wework/config');
    await wrapper.get('[data-testid="wecom-test"]').trigger('click');
    await settle();
    const result = wrapper.get('[data-testid="wecom-test-result"]');
    expect(result.attributes('data-ok')).toBe('false');
    const steps = wrapper.findAll('[data-testid="wecom-test-step"]');
    expect(steps.map((s) => [s.attributes('data-step'), s.attributes('data-ok')])).toEqual([['credentials', 'true'], ['gettoken', 'true'], ['permission', 'false']]);
    expect(steps[2]!.text()).toContain('错误码 60020');
    expect(steps[2]!.get('[data-testid="wecom-test-fix"]').text()).toContain('企业可信 IP');
    await wrapper.get('[data-testid="lang-switch"]').trigger('click');
    await settle();
    expect(wrapper.findAll('[data-testid="wecom-test-step"]')[2]!.get('[data-testid="wecom-test-fix"]').text()).toContain('Trusted IPs');
  });

  it('gives a viewer a read-only page: no save, generate or test controls', async () => {
    stubNetwork({ 'GET /api/auth/me': () => jsonResponse(signedInAs('viewer')), 'GET /api/wecom/config': () => jsonResponse(configView()) });
    wrapper = await mountDashboard('/wework/config');
    expect(wrapper.find('[data-testid="wecom-readonly"]').exists()).toBe(true);
    for (const testid of ['wecom-save', 'wecom-generate-token', 'wecom-generate-aes-key', 'wecom-test']) {
      expect(wrapper.find(`[data-testid="${testid}"]`).exists()).toBe(false);
    }
    expect(wrapper.get('[data-testid="wecom-corp-id"]').attributes('readonly')).toBeDefined();
    expect(wrapper.find('[data-testid="nav-wecom-config"]').exists()).toBe(true);
  });
});
