import type { DOMWrapper, VueWrapper } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { CustomerDetail, CustomerPage, CustomerRow, SyncStatus } from '../../common/customers.schema.ts';
import { LOCALE_STORAGE_KEY } from '../../web/src/i18n/index.ts';
import { jsonResponse, mountDashboard, settle, signedInAs, stubNetwork, resetAfterEachTest } from './support.ts';

const XSS = '<img src=x onerror=alert(1)>';

function row(overrides: Partial<CustomerRow> = {}): CustomerRow {
  return {
    id: 7, externalUserid: 'wmXss001', name: XSS, avatar: null, gender: 2, type: 1,
    follows: [{ staffUserid: 'zhangsan', staffName: '张三', state: 'xiaohongshu', addWay: 1, remark: '<b>remark</b>', status: 'active', followedAt: '2026-11-20T02:00:00.000Z', lostAt: null }],
    tags: [{ id: 3, groupName: '渠道', name: '小红书', wecomTagId: 'et1' }],
    leadStatus: 'new', tier: 'new', addedAt: '2026-11-20T02:00:00.000Z', lastVisitAt: null, spendFen: 0, birthday: null, lost: false,
    ...overrides,
  };
}

function page(items: CustomerRow[], overrides: Partial<CustomerPage> = {}): CustomerPage {
  return { items, page: 1, pageSize: 20, total: items.length, totalIsEstimate: false, ...overrides };
}

const filters = { tags: [{ id: 3, groupName: '渠道', name: '小红书', wecomTagId: 'et1' }, { id: 4, groupName: '等级', name: 'VIP', wecomTagId: null }], channels: ['xiaohongshu'], staff: [{ userid: 'zhangsan', name: '张三' }] };
const noSync: SyncStatus = { run: null };

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

/** The table row (`<tr>`) holding the customer `externalUserid`. */
function rowOf(wrapper: VueWrapper, externalUserid: string): DOMWrapper<Element> {
  const row = wrapper.findAll('tr').find((tr) => tr.find(`[data-testid="customer-row"][data-external-userid="${externalUserid}"]`).exists());
  if (!row) throw new Error(`no row for ${externalUserid}`);
  return row;
}

/** The query strings of every `GET /api/customers` call so far. */
function listCalls(fetchMock: ReturnType<typeof stubNetwork>): Array<Record<string, string>> {
  return fetchMock.mock.calls.map(([input]) => new URL(String(input), 'http://localhost'))
    .filter((url) => url.pathname === '/api/customers').map((url) => Object.fromEntries(url.searchParams));
}

const listRoutes = (result: CustomerPage) => ({
  'GET /api/customers': () => jsonResponse(result),
  'GET /api/customers/filters': () => jsonResponse(filters),
  'GET /api/sync': () => jsonResponse(noSync),
  'GET /api/segments': () => jsonResponse({ items: [] }),
});

describe('customers page', () => {
  it('shows each customer’s tier (分层) as a badge, in Chinese and in English', async () => {
    stubNetwork(listRoutes(page([row(), row({ id: 8, externalUserid: 'wmSleepy', name: '王沉', tier: 'dormant' })])));
    wrapper = await mountDashboard('/customers');
    expect(rowOf(wrapper, 'wmXss001').get('[data-role="tier"]').text()).toBe('新客');
    expect(rowOf(wrapper, 'wmSleepy').get('[data-role="tier"]').text()).toBe('沉睡');
    wrapper.unmount();
    localStorage.setItem(LOCALE_STORAGE_KEY, 'en');
    wrapper = await mountDashboard('/customers');
    expect(rowOf(wrapper, 'wmSleepy').get('[data-role="tier"]').text()).toBe('Dormant');
  });

  it('renders a customer named like an HTML tag as text, with the WeChat badge, staff, channel and tag', async () => {
    stubNetwork(listRoutes(page([row(), row({ id: 8, externalUserid: 'wmCorp', name: '企业客户', type: 2 })])));
    wrapper = await mountDashboard('/customers');
    const first = rowOf(wrapper, 'wmXss001');
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
    expect(rowOf(wrapper, 'wmCorp').get('[data-testid="badge-wecom"]').text()).toBe('企业微信');
    expect(wrapper.get('[data-testid="nav-customers"]').text()).toBe('客户');
    expect(wrapper.get('[data-testid="customers-page-info"]').text()).toBe('共 2 位客户');
    expect(document.title).toBe('客户 · 医美企微助手');
  });

  it('reads filters, tags in/out, sort and page size from the URL, writes a search back to it, and says "about" for an estimate', async () => {
    const fetchMock = stubNetwork(listRoutes(page([row()], { total: 98_000, totalIsEstimate: true, pageSize: 50 })));
    const mounted = await mountDashboard('/customers?channel=xiaohongshu&tagIds=3,4&excludeTagIds=5&status=lost&sort=name&order=asc&pageSize=50&page=2');
    wrapper = mounted;
    expect(wrapper.get('[data-testid="customers-page-info"]').text()).toBe('约 98,000 位客户');
    expect(listCalls(fetchMock).at(-1)).toEqual({
      channel: 'xiaohongshu', tagIds: '3,4', excludeTagIds: '5', status: 'lost', sort: 'name', order: 'asc', page: '2', pageSize: '50',
    });
    await wrapper.get('[data-testid="customer-search"]').setValue('小美');
    await wrapper.get('[data-testid="customer-filters"]').trigger('submit');
    await settle();
    // A new search starts at page 1 and keeps the other filters; the URL says so (返回 and shared links keep it).
    expect(mounted.router.currentRoute.value.query).toMatchObject({ q: '小美', channel: 'xiaohongshu', tagIds: '3,4', page: '1', sort: 'name' });
    expect(listCalls(fetchMock).at(-1)).toMatchObject({ q: '小美', page: '1', pageSize: '50' });
  });

  it('keeps the filters and page when 返回 comes back from a customer', async () => {
    const fetchMock = stubNetwork({ ...listRoutes(page([row()], { page: 3, total: 100 })), 'GET /api/customers/7': () => jsonResponse(detailOf(row())) });
    const mounted = await mountDashboard('/customers?q=%E5%B0%8F%E7%BE%8E&page=3');
    wrapper = mounted;
    await mounted.router.push(rowOf(wrapper, 'wmXss001').get('[data-testid="customer-link"]').attributes('href')!.replace('/dashboard', ''));
    await settle();
    expect(mounted.router.currentRoute.value.name).toBe('customer-detail');
    mounted.router.back();
    await vi.waitFor(() => expect(mounted.router.currentRoute.value.name).toBe('customers'));
    await settle();
    expect(mounted.router.currentRoute.value.query).toMatchObject({ q: '小美', page: '3' });
    expect(listCalls(fetchMock).at(-1)).toMatchObject({ q: '小美', page: '3' });
  });

  it('shows a running sync as a progress bar, and hides the sync, export and segment buttons from a viewer', async () => {
    const running: SyncStatus = {
      run: {
        workflowId: 'sync:customers', runId: 'r1', status: 'RUNNING', running: true, temporalUiUrl: null,
        progress: { phase: 'customers', trigger: 'manual', staff: 4, tags: 10, contactWays: 3, pagesDone: 5, customersSynced: 500, estimatedTotal: 2000, startedAt: '2026-11-25T08:00:00.000Z', finishedAt: null },
      },
    };
    stubNetwork({ ...listRoutes(page([])), 'GET /api/auth/me': () => jsonResponse(signedInAs('viewer')), 'GET /api/sync': () => jsonResponse(running) });
    wrapper = await mountDashboard('/customers');
    const bar = wrapper.get('[data-testid="sync-progress"]');
    expect(bar.attributes('aria-valuenow')).toBe('25');
    expect(wrapper.get('[data-testid="sync-progress-text"]').text()).toBe('同步客户：已同步 500 / 约 2,000 条客户关系（5 页）');
    expect(wrapper.find('[data-testid="sync-button"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="export-csv"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="segment-save"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('没有符合条件的客户');
  });

  it('offers CSV and Excel export links of exactly the filtered, sorted list', async () => {
    stubNetwork(listRoutes(page([row()])));
    wrapper = await mountDashboard('/customers?tagIds=3&sort=name&order=asc&page=2');
    const href = wrapper.get('[data-testid="export-csv"]').attributes('href')!;
    const url = new URL(href, 'http://localhost');
    expect(url.pathname).toBe('/api/customers/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({ tagIds: '3', sort: 'name', order: 'asc', format: 'csv' });
    expect(wrapper.get('[data-testid="export-xlsx"]').attributes('href')).toContain('format=xlsx');
  });
});

function detailOf(customer: CustomerRow, name = customer.name): CustomerDetail {
  return { customer: { ...customer, name, unionid: null, corpName: null, lead: { id: 1, source: 'wework_xiaohongshu', status: 'new' } }, timeline: [], timelineWarning: null };
}

describe('customer detail page', () => {
  it('never shows customer A while customer B loads slowly, nor after B turns out not to exist', async () => {
    let releaseB: () => void = () => undefined;
    const bArrived = new Promise<void>((resolve) => { releaseB = resolve; });
    stubNetwork({
      'GET /api/customers/filters': () => jsonResponse(filters),
      'GET /api/customers/7': () => jsonResponse(detailOf(row(), '顾客甲')),
      'GET /api/customers/8': async () => { await bArrived; return jsonResponse(detailOf(row({ id: 8, externalUserid: 'wmB' }), '顾客乙')); },
      'GET /api/customers/9': () => jsonResponse({ error: { code: 'customer_not_found', message: 'No customer with id 9.' } }, 404),
    });
    const mounted = await mountDashboard('/customers/7');
    wrapper = mounted;
    expect(wrapper.get('[data-testid="customer-name"]').text()).toBe('顾客甲');
    await mounted.router.push('/customers/8');
    await settle();
    expect(wrapper.text()).not.toContain('顾客甲');
    expect(wrapper.find('[data-testid="customer-loading"]').exists()).toBe(true);
    releaseB();
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="customer-name"]').text()).toBe('顾客乙'));
    await mounted.router.push('/customers/9');
    await settle();
    expect(wrapper.text()).not.toContain('顾客乙');
    expect(wrapper.get('[data-testid="error-alert"]').text()).toContain('该客户不存在或已被删除');
    expect(wrapper.text()).not.toContain('No customer with id');
  });

  it('renders the name, remark and timeline as text and links the onboarding run to the Temporal UI', async () => {
    const detail: CustomerDetail = {
      customer: { ...row(), unionid: null, corpName: null, lead: { id: 1, source: 'wework_xiaohongshu', status: 'new' } },
      timeline: [
        { kind: 'workflow', at: '2026-11-20T02:00:01.000Z', title: 'onboardCustomerWorkflow', status: 'COMPLETED', detail: null, workflowId: 'wecom:abc', runId: 'run-1', temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/wecom%3Aabc/run-1/history' },
        { kind: 'message', at: '2026-11-20T02:00:00.500Z', title: 'welcome', status: 'sent', detail: `${XSS}您好！`, workflowId: null, runId: null, temporalUiUrl: null },
        { kind: 'message', at: '2026-11-20T02:00:00.400Z', title: 'staff_notification', status: 'queued', detail: '新客户 小美 来自小红书', workflowId: null, runId: null, temporalUiUrl: null },
        { kind: 'workflow', at: '2026-11-20T02:00:00.300Z', title: 'someLaterWorkflow', status: 'RUNNING', detail: null, workflowId: 'later:1', runId: 'run-2', temporalUiUrl: null },
      ],
      timelineWarning: null,
    };
    stubNetwork({
      'GET /api/customers/7': () => jsonResponse(detail),
      'GET /api/segments': () => jsonResponse({ items: [] }),
      'GET /api/customers/filters': () => jsonResponse(filters),
    });
    wrapper = await mountDashboard('/customers/7');
    expect(wrapper.get('[data-testid="customer-name"]').text()).toBe(XSS);
    expect(wrapper.text()).toContain('<b>remark</b>');
    expect(wrapper.find('img[src="x"]').exists()).toBe(false);
    expect(wrapper.find('b').exists()).toBe(false);
    // Entries say what happened in the reader's language; a code without a label shows as it is, and the tooltip keeps the code.
    const what = wrapper.findAll('[data-testid="timeline-what"]');
    expect(what.map((entry) => entry.text())).toEqual(['新客户接待 · 已完成', '欢迎语 · 已发送', '员工通知 · 等待汇总发送', 'someLaterWorkflow · 运行中']);
    expect(what[0]!.attributes('title')).toBe('onboardCustomerWorkflow · COMPLETED');
    const link = wrapper.get('[data-testid="timeline-temporal-link"]');
    expect(link.attributes('href')).toBe('http://localhost:8233/namespaces/default/workflows/wecom%3Aabc/run-1/history');
    expect(link.attributes('rel')).toContain('noopener');
    // An admin may add the VIP tag (not yet on the customer) but not the channel tag already there.
    const options = [...document.querySelectorAll('.el-select-dropdown__item')].map((option) => option.textContent?.trim()).filter((text) => text?.includes(' / '));
    expect(options).toEqual(['等级 / VIP']);
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
  it('sends 发送消息 as a care message when chosen, and says in Chinese why a marketing message was refused and what to do', async () => {
    const detail: CustomerDetail = { customer: { ...row(), unionid: null, corpName: null, lead: null }, timeline: [], timelineWarning: null };
    const bodies: Array<Record<string, unknown>> = [];
    const keys: Array<string | null> = [];
    stubNetwork({
      'GET /api/customers/7': () => jsonResponse(detail),
      'GET /api/customers/filters': () => jsonResponse(filters),
      'GET /api/compliance/terms': () => jsonResponse({ items: [] }),
      'POST /api/customers/wmXss001/messages': (init) => {
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
        bodies.push(body);
        keys.push(new Headers(init?.headers).get('idempotency-key'));
        if (body.messageClass !== 'care') return jsonResponse({ error: { code: 'no_consent', message: 'The customer has not consented to marketing messages' } }, 409);
        // The first care send's answer is lost behind a proxy; the retry is the same message.
        return keys.length === 2 ? new Response('', { status: 502 }) : jsonResponse({ runId: 5 }, 202);
      },
    });
    wrapper = await mountDashboard('/customers/7');
    await wrapper.get('[data-testid="customer-send-message"]').trigger('click');
    await settle();
    const text = document.querySelector<HTMLTextAreaElement>('textarea[data-testid="direct-text"]')!;
    text.value = '术后第3天回访';
    text.dispatchEvent(new Event('input'));
    await settle();
    expect(document.querySelector('[data-testid="direct-class-note"]')!.textContent).toContain('需要客户已同意接收');
    document.querySelector<HTMLButtonElement>('[data-testid="direct-send"]')!.click();
    await settle();
    expect(bodies.at(-1)).toEqual({ content: { text: '术后第3天回访' }, messageClass: 'marketing' });
    await vi.waitFor(() => expect(document.body.textContent).toContain('该客户尚未同意接收营销消息，未发送。请先记录客户的同意'));

    document.querySelector<HTMLElement>('[data-testid="direct-class-care"] input')!.click();
    await settle();
    expect(document.querySelector('[data-testid="direct-class-note"]')!.textContent).toContain('无需营销同意');
    document.querySelector<HTMLButtonElement>('[data-testid="direct-send"]')!.click();
    await settle();
    expect(bodies.at(-1)).toEqual({ content: { text: '术后第3天回访' }, messageClass: 'care' });
    document.querySelector<HTMLButtonElement>('[data-testid="direct-send"]')!.click();
    await settle();
    await vi.waitFor(() => expect(document.body.textContent).toContain('已提交，等待员工在企业微信中确认'));
    // Each send carries an Idempotency-Key: another class is another message, a retry the same one.
    expect(keys).toHaveLength(3);
    expect(keys.every((key) => /^[0-9a-f]{32}$/.test(key ?? ''))).toBe(true);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe(keys[1]);
  });
  it('shows the customer\'s consent and its history as text, and lets staff record consent with evidence and the care opt-out', async () => {
    const detail: CustomerDetail = { customer: { ...row(), unionid: null, corpName: null, lead: null }, timeline: [], timelineWarning: null };
    let consent = { externalUserId: 'wmXss001', marketing: 'withdrawn', careOptOut: false, events: [
      { marketing: 'withdrawn', source: 'keyword', evidence: XSS, textVersion: null, actor: 'mkt', at: '2026-11-20T02:00:00.000Z' },
    ] };
    const writes: Array<{ key: string; body: unknown }> = [];
    stubNetwork({
      'GET /api/customers/7': () => jsonResponse(detail),
      'GET /api/customers/filters': () => jsonResponse(filters),
      'GET /api/consents/wmXss001': () => jsonResponse(consent),
      'POST /api/consents/wmXss001': (init) => {
        writes.push({ key: 'record', body: JSON.parse(String(init?.body)) });
        consent = { ...consent, marketing: 'granted', events: [{ marketing: 'granted', source: 'staff', evidence: '到店签署同意书', textVersion: null, actor: 'admin', at: '2026-11-21T02:00:00.000Z' }, ...consent.events] };
        return jsonResponse({ updated: 1 });
      },
      'GET /api/consents/wmXss001/link': () => jsonResponse({ url: 'https://clinic.example.com/c/tok123' }),
      'PUT /api/consents/wmXss001/care': (init) => {
        writes.push({ key: 'care', body: JSON.parse(String(init?.body)) });
        consent = { ...consent, careOptOut: true };
        return jsonResponse({ careOptOut: true });
      },
    });
    wrapper = await mountDashboard('/customers/7');
    await settle();
    const panel = () => wrapper!.get('[data-testid="customer-consent"]');
    expect(panel().get('[data-testid="consent-marketing"]').text()).toBe('已撤回营销同意');
    expect(panel().get('[data-testid="consent-events"]').text()).toContain('回复“退订”');
    // The evidence is text, never markup.
    expect(panel().find('img[src="x"]').exists()).toBe(false);
    expect(panel().get('[data-testid="consent-events"]').text()).toContain(XSS);

    await panel().get('[data-testid="consent-grant"]').trigger('click');
    await settle();
    expect(writes).toEqual([]);
    expect(document.body.textContent).toContain('请先填写凭证');
    await panel().get('input[data-testid="consent-evidence"]').setValue('到店签署同意书');
    await panel().get('[data-testid="consent-grant"]').trigger('click');
    await settle();
    expect(writes).toEqual([{ key: 'record', body: { marketing: 'granted', source: 'staff', evidence: '到店签署同意书' } }]);
    await vi.waitFor(() => expect(panel().get('[data-testid="consent-marketing"]').text()).toBe('已同意接收营销消息'));

    await panel().get('[data-testid="consent-care"] input').setValue(true);
    await settle();
    expect(writes.at(-1)).toEqual({ key: 'care', body: { optOut: true } });
    await vi.waitFor(() => expect(panel().get('[data-testid="consent-care-opt-out"]').text()).toBe('拒收关怀消息'));

    // Without a clipboard (plain HTTP on the clinic's network) the link is shown to copy by hand.
    const clipboard = Object.getOwnPropertyDescriptor(navigator, 'clipboard');
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    try {
      await panel().get('[data-testid="consent-link"]').trigger('click');
      await vi.waitFor(() => expect(document.body.textContent).toContain('同意页链接（请手动复制后发给客户）：https://clinic.example.com/c/tok123'));
    } finally {
      if (clipboard) Object.defineProperty(navigator, 'clipboard', clipboard);
      else delete (navigator as { clipboard?: unknown }).clipboard;
    }
  });

  it('shows a viewer the consent without the controls', async () => {
    const detail: CustomerDetail = { customer: { ...row(), unionid: null, corpName: null, lead: null }, timeline: [], timelineWarning: null };
    stubNetwork({
      'GET /api/auth/me': () => jsonResponse(signedInAs('viewer')),
      'GET /api/customers/7': () => jsonResponse(detail),
      'GET /api/consents/wmXss001': () => jsonResponse({ externalUserId: 'wmXss001', marketing: 'none', careOptOut: false, events: [] }),
    });
    wrapper = await mountDashboard('/customers/7');
    await settle();
    expect(wrapper.get('[data-testid="consent-marketing"]').text()).toBe('未同意接收营销消息');
    expect(wrapper.find('[data-testid="consent-grant"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="consent-care"]').exists()).toBe(false);
  });
});
