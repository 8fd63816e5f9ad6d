import type { VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CustomerDetail, CustomerPage, CustomerRow, SyncStatus } from '../../common/customers.schema.ts';
import { jsonResponse, mountDashboard, settle, signedInAs, stubNetwork } from './support.ts';

const XSS = '<img src=x onerror=alert(1)>';

function row(overrides: Partial<CustomerRow> = {}): CustomerRow {
  return {
    id: 7, externalUserid: 'wmXss001', name: XSS, avatar: null, gender: 2, type: 1,
    follows: [{ staffUserid: 'zhangsan', staffName: '张三', state: 'xiaohongshu', addWay: 1, remark: '<b>remark</b>', status: 'active', followedAt: '2026-11-20T02:00:00.000Z', lostAt: null }],
    tags: [{ id: 3, groupName: '渠道', name: '小红书', wecomTagId: 'et1' }],
    leadStatus: 'new', addedAt: '2026-11-20T02:00:00.000Z', lost: false,
    ...overrides,
  };
}

function page(items: CustomerRow[], overrides: Partial<CustomerPage> = {}): CustomerPage {
  return { items, page: 1, pageSize: 20, total: items.length, totalIsEstimate: false, ...overrides };
}

const filters = { tags: [{ id: 3, groupName: '渠道', name: '小红书', wecomTagId: 'et1' }, { id: 4, groupName: '等级', name: 'VIP', wecomTagId: null }], channels: ['xiaohongshu'], staff: [{ userid: 'zhangsan', name: '张三' }] };
const noSync: SyncStatus = { run: null };

let wrapper: VueWrapper | undefined;
beforeEach(() => localStorage.clear());
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('customers page', () => {
  it('renders a customer named like an HTML tag as text, with the WeChat badge, staff, channel and tag', async () => {
    stubNetwork({
      'GET /api/customers': () => jsonResponse(page([row(), row({ id: 8, externalUserid: 'wmCorp', name: '企业客户', type: 2 })])),
      'GET /api/customers/filters': () => jsonResponse(filters),
      'GET /api/sync': () => jsonResponse(noSync),
    });
    wrapper = await mountDashboard('/customers');
    const first = wrapper.get('[data-testid="customer-row"][data-external-userid="wmXss001"]');
    expect(first.get('[data-role="name"]').text()).toBe(XSS);
    // Text, not markup: no <img src="x"> and no element with an onerror handler anywhere.
    expect(wrapper.find('img[src="x"]').exists()).toBe(false);
    expect(document.querySelector('[onerror]')).toBeNull();
    expect(first.html()).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(first.get('[data-testid="badge-wechat"]').text()).toBe('微信');
    expect(first.text()).toContain('张三');
    expect(first.text()).toContain('xiaohongshu');
    expect(first.text()).toContain('扫描二维码');
    expect(first.text()).toContain('小红书');
    expect(first.text()).toContain('新线索');
    expect(wrapper.get('[data-testid="customer-row"][data-external-userid="wmCorp"] [data-testid="badge-wecom"]').text()).toBe('企业微信');
    expect(wrapper.get('[data-testid="nav-customers"]').text()).toBe('客户');
    expect(wrapper.get('[data-testid="customers-page-info"]').text()).toContain('共 2 位客户');
  });

  it('sends the search and filters to the API and says "about" for an estimated total', async () => {
    const fetchMock = stubNetwork({
      'GET /api/customers': () => jsonResponse(page([row()], { total: 98_000, totalIsEstimate: true })),
      'GET /api/customers/filters': () => jsonResponse(filters),
      'GET /api/sync': () => jsonResponse(noSync),
    });
    wrapper = await mountDashboard('/customers');
    expect(wrapper.get('[data-testid="customers-page-info"]').text()).toBe('第 1 页，约 98000 位客户');
    await wrapper.get('[data-testid="customer-search"]').setValue('小美');
    await wrapper.get('[data-testid="filter-channel"]').setValue('xiaohongshu');
    await wrapper.get('[data-testid="filter-tag"]').setValue('3');
    await wrapper.get('[data-testid="filter-status"]').setValue('lost');
    await wrapper.get('[data-testid="customer-filters"]').trigger('submit');
    await settle();
    const urls = fetchMock.mock.calls.map(([input]) => new URL(String(input), 'http://localhost')).filter((url) => url.pathname === '/api/customers');
    const last = urls.at(-1)!.searchParams;
    expect(Object.fromEntries(last)).toEqual({ q: '小美', channel: 'xiaohongshu', tagId: '3', status: 'lost', page: '1', pageSize: '20' });
  });

  it('shows a running sync as a progress bar, and hides the sync button from a viewer', async () => {
    const running: SyncStatus = {
      run: {
        workflowId: 'sync:customers', runId: 'r1', status: 'RUNNING', running: true, temporalUiUrl: null,
        progress: { phase: 'customers', trigger: 'manual', staff: 4, tags: 10, contactWays: 3, pagesDone: 5, customersSynced: 500, estimatedTotal: 2000, startedAt: '2026-11-25T08:00:00.000Z', finishedAt: null },
      },
    };
    stubNetwork({
      'GET /api/auth/me': () => jsonResponse(signedInAs('viewer')),
      'GET /api/customers': () => jsonResponse(page([])),
      'GET /api/customers/filters': () => jsonResponse(filters),
      'GET /api/sync': () => jsonResponse(running),
    });
    wrapper = await mountDashboard('/customers');
    const bar = wrapper.get('[data-testid="sync-progress"]');
    expect(bar.attributes('aria-valuenow')).toBe('25');
    expect(wrapper.get('[data-testid="sync-progress-text"]').text()).toBe('同步客户：已同步 500 / 约 2000 条客户关系（5 页）');
    expect(wrapper.find('[data-testid="sync-button"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('没有符合条件的客户');
  });
});

describe('customer detail page', () => {
  it('renders the name, remark and timeline as text and links the onboarding run to the Temporal UI', async () => {
    const detail: CustomerDetail = {
      customer: { ...row(), unionid: null, corpName: null, lead: { id: 1, source: 'wework_xiaohongshu', status: 'new' } },
      timeline: [
        { kind: 'workflow', at: '2026-11-20T02:00:01.000Z', title: 'onboardCustomerWorkflow', status: 'COMPLETED', detail: null, workflowId: 'wecom:abc', runId: 'run-1', temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/wecom%3Aabc/run-1/history' },
        { kind: 'message', at: '2026-11-20T02:00:00.500Z', title: 'welcome', status: 'sent', detail: `${XSS}您好！`, workflowId: null, runId: null, temporalUiUrl: null },
      ],
      timelineWarning: null,
    };
    stubNetwork({
      'GET /api/customers/7': () => jsonResponse(detail),
      'GET /api/customers/filters': () => jsonResponse(filters),
    });
    wrapper = await mountDashboard('/customers/7');
    expect(wrapper.get('[data-testid="customer-name"]').text()).toBe(XSS);
    expect(wrapper.text()).toContain('<b>remark</b>');
    expect(wrapper.find('img[src="x"]').exists()).toBe(false);
    expect(wrapper.find('b').exists()).toBe(false);
    const link = wrapper.get('[data-testid="timeline-temporal-link"]');
    expect(link.attributes('href')).toBe('http://localhost:8233/namespaces/default/workflows/wecom%3Aabc/run-1/history');
    expect(link.attributes('rel')).toContain('noopener');
    // An admin may add the VIP tag (not yet on the customer) but not the channel tag already there.
    const options = wrapper.get('[data-testid="tag-select"]').findAll('option').map((o) => o.text());
    expect(options).toEqual(['选择标签', '等级 / VIP']);
  });

  it('lets an admin export the customer and erase them only after typing their external id; hides both from a marketer', async () => {
    const detail: CustomerDetail = { customer: { ...row(), unionid: null, corpName: null, lead: null }, timeline: [], timelineWarning: null };
    const fetchMock = stubNetwork({
      'GET /api/customers/7': () => jsonResponse(detail),
      'GET /api/customers/filters': () => jsonResponse(filters),
      'POST /api/customers/7/erase': () => jsonResponse({ erased: true, rows: { wework_customers: 1 }, workflowRuns: 2 }),
      'GET /api/customers?page=1&pageSize=20': () => jsonResponse(page([])),
      'GET /api/sync': () => jsonResponse(noSync),
    });
    const mounted = await mountDashboard('/customers/7');
    wrapper = mounted;
    expect(wrapper.get('[data-testid="customer-export"]').attributes('href')).toBe('/api/customers/7/export');
    await wrapper.get('[data-testid="customer-erase"]').trigger('click');
    const confirm = wrapper.get('[data-testid="customer-erase-confirm"]');
    expect(confirm.attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="customer-erase-input"]').setValue('wmXss00');
    expect(confirm.attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="customer-erase-input"]').setValue('wmXss001');
    expect(confirm.attributes('disabled')).toBeUndefined();
    await confirm.trigger('click');
    await settle();
    const call = fetchMock.mock.calls.find(([url]) => String(url) === '/api/customers/7/erase');
    expect(JSON.parse(String(call?.[1]?.body))).toEqual({ confirm: 'wmXss001' });
    await vi.waitFor(() => expect(mounted.router.currentRoute.value.name).toBe('customers'));
    wrapper.unmount();

    stubNetwork({
      'GET /api/auth/me': () => jsonResponse(signedInAs('marketer')),
      'GET /api/customers/7': () => jsonResponse(detail),
      'GET /api/customers/filters': () => jsonResponse(filters),
    });
    wrapper = await mountDashboard('/customers/7');
    expect(wrapper.find('[data-testid="customer-name"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="customer-privacy"]').exists()).toBe(false);
  });
});
