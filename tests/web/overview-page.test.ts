import type { VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { CampaignResults, Overview, Trend } from '../../common/statistics.schema.ts';
import { jsonResponse, mountDashboard, stubNetwork, resetAfterEachTest } from './support.ts';

const overview: Overview = {
  today: '2026-11-30', totalCustomers: 120,
  periods: { today: { added: 3, lost: 1, net: 2 }, last7: { added: 20, lost: 4, net: 16 }, last30: { added: 60, lost: 10, net: 50 } },
  funnel: { added: 60, leads: 30, appointments: 12, consumptions: 7 },
  topCodes: [],
};
const trend: Trend = { bucket: 'day', by: 'channel', buckets: [], series: [] };
const results: CampaignResults = {
  items: [{
    id: 42, name: '秋季焕肤', status: 'running', launchedAt: '2026-11-29T02:00:00.000Z',
    counts: { audience: 1500, skipped: 100, submitted: 1400, confirmed: 1300, delivered: 1250, failed: 50, clicked: 88 },
  }],
};

let wrapper: VueWrapper | undefined;
resetAfterEachTest();

describe('overview page (数据概览)', () => {
  it('shows appointments and purchases in the funnel and each recent campaign’s send figures', async () => {
    stubNetwork({
      'GET /api/statistics/overview': () => jsonResponse(overview),
      'GET /api/statistics/trend': () => jsonResponse(trend),
      'GET /api/statistics/campaigns': () => jsonResponse(results),
    });
    wrapper = await mountDashboard('/');
    const funnel = wrapper.get('[data-testid="funnel-figures"]').text();
    expect(funnel).toContain('预约：12');
    expect(funnel).toContain('消费：7');
    const card = wrapper.get('[data-testid="campaign-results"]');
    expect(card.text()).toContain('秋季焕肤');
    expect(card.text()).toContain('发送中');
    expect(card.get('[data-role="audience"]').text()).toBe('1,500');
    expect(card.get('[data-role="skipped"]').text()).toBe('100');
    expect(card.get('[data-role="confirmed"]').text()).toBe('1,300');
    expect(card.get('[data-role="delivered"]').text()).toBe('1,250');
    expect(card.get('[data-role="failed"]').text()).toBe('50');
    expect(card.get('[data-role="clicked"]').text()).toBe('88');
    expect(card.get('a').attributes('href')).toContain('/wework/messages/42');
  });

  it('says so when no campaign has been sent yet', async () => {
    stubNetwork({
      'GET /api/statistics/overview': () => jsonResponse(overview),
      'GET /api/statistics/trend': () => jsonResponse(trend),
      'GET /api/statistics/campaigns': () => jsonResponse({ items: [] }),
    });
    wrapper = await mountDashboard('/');
    expect(wrapper.get('[data-testid="campaign-results"]').text()).toContain('还没有发出的群发');
  });
});
