import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { LOCALE_STORAGE_KEY } from '../../web/src/i18n/index.ts';
import { healthyReport, jsonResponse, mountDashboard, networkDown, probeOk, settle, stubNetwork, resetAfterEachTest } from './support.ts';

const CARD_IDS = ['health-database', 'health-temporal', 'health-worker', 'health-wecom'] as const;

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

/** The text of the element with `data-testid="id"`. */
function textOf(w: VueWrapper, id: string): string {
  return w.get(`[data-testid="${id}"]`).text();
}

describe('home page: system status', () => {
  it('shows four green cards and the worker poller count when everything is up', async () => {
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(healthyReport()) });
    wrapper = await mountDashboard('/system');

    for (const id of CARD_IDS) {
      expect(wrapper.get(`[data-testid="${id}"]`).attributes('data-state')).toBe('ok');
      expect(wrapper.get(`[data-testid="${id}"]`).classes()).toContain('is-ok');
    }
    expect(textOf(wrapper, 'health-database')).toContain('数据库');
    expect(textOf(wrapper, 'health-database')).toContain('正常');
    expect(textOf(wrapper, 'health-temporal')).toContain('工作流引擎');
    expect(textOf(wrapper, 'health-worker')).toContain('工作进程');
    expect(textOf(wrapper, 'health-worker')).toContain('在线轮询数：2');
    expect(textOf(wrapper, 'health-wecom')).toContain('企业 ID：ww1234567890abcdef');
    expect(textOf(wrapper, 'health-wecom')).toContain('已配置');
    expect(textOf(wrapper, 'health-summary')).toContain('所有组件运行正常');
    // No "how to fix" block on a healthy card.
    expect(wrapper.find('[data-role="detail"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="health-error"]').exists()).toBe(false);
  });

  it('accepts a 503 report and shows the worker card red with its detail', async () => {
    const detail = 'No worker is polling task queue "clinic-main". Start one with `npm run start:worker`.';
    const report = healthyReport({
      ok: false,
      components: {
        ...healthyReport().components,
        worker: { ok: false, status: 'no-pollers', pollers: 0, detail },
      },
    });
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(report, 503) });
    wrapper = await mountDashboard('/system');

    const worker = wrapper.get('[data-testid="health-worker"]');
    expect(worker.attributes('data-state')).toBe('down');
    expect(worker.classes()).toContain('is-down');
    expect(worker.text()).toContain('无在线工作进程');
    expect(worker.text()).toContain('在线轮询数：0');
    expect(worker.get('[data-role="detail"]').text()).toContain(detail);
    for (const id of ['health-database', 'health-temporal', 'health-wecom']) {
      expect(wrapper.get(`[data-testid="${id}"]`).attributes('data-state')).toBe('ok');
    }
    expect(textOf(wrapper, 'health-summary')).toContain('部分组件异常');
    // A 503 that carries a valid report is a report, not a request failure.
    expect(wrapper.find('[data-testid="health-error"]').exists()).toBe(false);
  });

  it('shows WeCom as 未配置 when no corp is configured', async () => {
    const report = healthyReport({
      ok: false,
      components: {
        ...healthyReport().components,
        wecom: { ok: false, status: 'not-configured', configured: false, corpId: null, detail: 'Set WECOM_CORP_ID or fill in the WeCom settings page.' },
      },
    });
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(report, 503) });
    wrapper = await mountDashboard('/system');

    const wecom = wrapper.get('[data-testid="health-wecom"]');
    expect(wecom.attributes('data-state')).toBe('down');
    expect(wecom.get('[data-role="status"]').text()).toBe('未配置');
    expect(wecom.get('[data-role="corp-id"]').text()).toBe('未配置');
  });

  it('says the API server is not reachable, in the user language, when the network fails', async () => {
    stubNetwork({ 'GET /api/health/details': networkDown });
    wrapper = await mountDashboard('/system');

    const alert = wrapper.get('[data-testid="health-error"]');
    expect(alert.attributes('role')).toBe('alert');
    expect(alert.text()).toContain('API 服务器无法访问');
    expect(alert.text()).toContain('npm run dev');
    expect(wrapper.find('[data-testid="health-database"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="health-loading"]').exists()).toBe(false);

    await wrapper.get('[data-testid="lang-switch"]').trigger('click');
    expect(wrapper.get('[data-testid="health-error"]').text()).toContain('The API server is not reachable');
    expect(wrapper.get('[data-testid="health-error"]').text()).toContain('npm run dev');
  });

  it('treats the dev proxy answering 502 with no body as an unreachable API', async () => {
    stubNetwork({ 'GET /api/health/details': () => new Response('', { status: 502 }) });
    wrapper = await mountDashboard('/system');
    expect(textOf(wrapper, 'health-error')).toContain('API 服务器无法访问');
  });

  it('shows the API error code and message for any other failure', async () => {
    stubNetwork({
      'GET /api/health/details': () => jsonResponse({ error: { code: 'internal', message: 'Health check crashed' } }, 500),
    });
    wrapper = await mountDashboard('/system');
    const text = textOf(wrapper, 'health-error');
    expect(text).toContain('获取系统状态失败');
    expect(text).toContain('internal');
    expect(text).toContain('Health check crashed');
  });

  it('switches every text to English and remembers the choice', async () => {
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(healthyReport()) });
    wrapper = await mountDashboard('/system');
    expect(wrapper.text()).toContain('医美企微助手');
    expect(textOf(wrapper, 'lang-switch')).toBe('English');

    await wrapper.get('[data-testid="lang-switch"]').trigger('click');

    expect(wrapper.text()).toContain('Clinic WeCom Assistant');
    expect(wrapper.text()).toContain('System status');
    expect(textOf(wrapper, 'health-database')).toContain('Database');
    expect(textOf(wrapper, 'health-database')).toContain('Up');
    expect(textOf(wrapper, 'health-worker')).toContain('Pollers: 2');
    expect(textOf(wrapper, 'health-wecom')).toContain('Configured');
    expect(textOf(wrapper, 'probe-button')).toBe('Run end-to-end probe');
    expect(textOf(wrapper, 'temporal-ui-link')).toContain('Open Temporal UI');
    expect(textOf(wrapper, 'lang-switch')).toBe('中文');
    expect(wrapper.text()).not.toMatch(/数据库|工作进程|首页/);
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en');
    expect(document.documentElement.lang).toBe('en');

    // A new visit starts in the remembered language.
    wrapper.unmount();
    wrapper = await mountDashboard('/system');
    expect(textOf(wrapper, 'health-worker')).toContain('Worker');

    // And back to Chinese.
    await wrapper.get('[data-testid="lang-switch"]').trigger('click');
    expect(textOf(wrapper, 'health-worker')).toContain('工作进程');
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('zh-CN');
  });

  it('links to the Temporal UI of the report in a new tab, and hides the link when there is none', async () => {
    // The product's namespace's workflow list, not the UI's root (which opens `default`).
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(healthyReport({ temporalUiUrl: 'http://temporal.example:8233', temporalWorkflowsUrl: 'http://temporal.example:8233/namespaces/clinic/workflows' })) });
    wrapper = await mountDashboard('/system');
    const link = wrapper.get('[data-testid="temporal-ui-link"]');
    expect(link.attributes('href')).toBe('http://temporal.example:8233/namespaces/clinic/workflows');
    expect(link.attributes('target')).toBe('_blank');
    expect(link.attributes('rel')).toContain('noopener');
    expect(link.text()).toContain('打开 Temporal 控制台');
    wrapper.unmount();

    stubNetwork({ 'GET /api/health/details': () => jsonResponse(healthyReport({ temporalUiUrl: null })) });
    wrapper = await mountDashboard('/system');
    expect(wrapper.find('[data-testid="health-database"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="temporal-ui-link"]').exists()).toBe(false);
  });

  it('never turns a non-http Temporal URL into a link', async () => {
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(healthyReport({ temporalUiUrl: 'javascript:alert(1)' })) });
    wrapper = await mountDashboard('/system');
    expect(wrapper.find('[data-testid="temporal-ui-link"]').exists()).toBe(false);
  });

  it('renders markup in a detail as plain text', async () => {
    const detail = 'Connection refused <img src=x onerror=alert(1)>';
    const report = healthyReport({
      ok: false,
      components: { ...healthyReport().components, database: { ok: false, status: 'down', detail } },
    });
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(report, 503) });
    wrapper = await mountDashboard('/system');

    const database = wrapper.get('[data-testid="health-database"]');
    expect(database.attributes('data-state')).toBe('down');
    expect(database.text()).toContain('故障');
    expect(database.text()).toContain('<img src=x onerror=alert(1)>');
    expect(wrapper.find('img').exists()).toBe(false);
    expect(document.querySelector('img')).toBeNull();
  });

  it('shows a status code it does not know as is', async () => {
    const report = healthyReport({
      ok: false,
      components: { ...healthyReport().components, temporal: { ok: false, status: 'namespace-missing', detail: 'Create namespace "default".' } },
    });
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(report, 503) });
    wrapper = await mountDashboard('/system');
    expect(wrapper.get('[data-testid="health-temporal"] [data-role="status"]').text()).toBe('namespace-missing');
  });

  it('shows the last-checked time and the loading state before the first answer', async () => {
    let answer: (r: Response) => void = () => {};
    stubNetwork({ 'GET /api/health/details': () => new Promise<Response>((resolve) => { answer = resolve; }) });
    wrapper = await mountDashboard('/system');
    expect(textOf(wrapper, 'health-loading')).toContain('正在检查系统状态');

    answer(jsonResponse(healthyReport({ checkedAt: '2026-11-25T08:30:00.000Z' })));
    await settle();
    expect(wrapper.find('[data-testid="health-loading"]').exists()).toBe(false);
    const checked = textOf(wrapper, 'health-checked-at');
    expect(checked).toContain('最后检查');
    expect(checked).toContain('2026');
  });

  it('polls every 5 seconds while shown and stops when the page goes away', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let call = 0;
    stubNetwork({
      'GET /api/health/details': () => {
        call += 1;
        const report = healthyReport();
        return call === 1
          ? jsonResponse(report)
          : jsonResponse({ ...report, ok: false, components: { ...report.components, worker: { ok: false, status: 'no-pollers', pollers: 0, detail: 'Worker stopped.' } } }, 503);
      },
    });
    wrapper = await mountDashboard('/system');
    expect(call).toBe(1);
    expect(wrapper.get('[data-testid="health-worker"]').attributes('data-state')).toBe('ok');

    await vi.advanceTimersByTimeAsync(4_000);
    expect(call).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(call).toBe(2);
    expect(wrapper.get('[data-testid="health-worker"]').attributes('data-state')).toBe('down');

    wrapper.unmount();
    wrapper = undefined;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(call).toBe(2);
  });
});

describe('home page: end-to-end probe', () => {
  it('runs the probe and shows the round trip', async () => {
    let release: () => void = () => {};
    const fetchMock = stubNetwork({
      'GET /api/health/details': () => jsonResponse(healthyReport()),
      'POST /api/health/probe': () => new Promise<Response>((resolve) => { release = () => resolve(jsonResponse(probeOk({ roundTripMs: 123.4 }))); }),
    });
    wrapper = await mountDashboard('/system');
    expect(wrapper.find('[data-testid="probe-result"]').exists()).toBe(false);
    const button = wrapper.get('[data-testid="probe-button"]');
    expect(button.text()).toBe('运行端到端探测');

    await button.trigger('click');
    expect(button.text()).toBe('探测中…');
    expect(button.attributes('disabled')).toBeDefined();

    release();
    await settle();
    const result = wrapper.get('[data-testid="probe-result"]');
    expect(result.text()).toContain('探测成功：往返 123 ms');
    expect(result.text()).toContain('4242@clinic-host');
    expect(result.classes()).toContain('is-ok');
    expect(button.attributes('disabled')).toBeUndefined();
    const probeCall = fetchMock.mock.calls.find(([, init]) => init?.method === 'POST');
    expect(probeCall?.[0]).toBe('/api/health/probe');
    // A state-changing request carries the session's CSRF token.
    expect((probeCall?.[1]?.headers as Record<string, string>)['x-csrf-token']).toBe('csrf-admin');
  });

  it('shows the error of a failed probe', async () => {
    stubNetwork({
      'GET /api/health/details': () => jsonResponse(healthyReport()),
      'POST /api/health/probe': () =>
        jsonResponse(probeOk({ ok: false, roundTripMs: 10_000, databaseOk: false, workerIdentity: null, error: 'Workflow timed out: no worker picked up the task.' }), 503),
    });
    wrapper = await mountDashboard('/system');
    await wrapper.get('[data-testid="probe-button"]').trigger('click');
    await settle();
    const result = wrapper.get('[data-testid="probe-result"]');
    expect(result.classes()).toContain('is-down');
    expect(result.text()).toContain('探测失败');
    expect(result.text()).toContain('Workflow timed out: no worker picked up the task.');
    expect(result.text()).toContain('数据库读写：失败');
  });

  it('shows an API error answered to the probe', async () => {
    stubNetwork({
      'GET /api/health/details': () => jsonResponse(healthyReport()),
      'POST /api/health/probe': () => jsonResponse({ error: { code: 'temporal_unavailable', message: 'Temporal is not reachable at 127.0.0.1:7233.' } }, 503),
    });
    wrapper = await mountDashboard('/system');
    await wrapper.get('[data-testid="probe-button"]').trigger('click');
    await settle();
    const text = textOf(wrapper, 'probe-result');
    expect(text).toContain('探测失败');
    expect(text).toContain('temporal_unavailable');
    expect(text).toContain('Temporal is not reachable at 127.0.0.1:7233.');
  });
});
