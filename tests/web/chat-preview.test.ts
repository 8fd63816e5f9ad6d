import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createAppI18n } from '../../web/src/i18n/index.ts';
import ChatPreview from '../../web/src/pages/campaigns/ChatPreview.vue';

describe('ChatPreview', () => {
  it('shows {staff} filled with a sample name and says so, in Chinese and in English', () => {
    const zh = mount(ChatPreview, { props: { content: { text: '您好，我是{staff}' } }, global: { plugins: [createAppI18n('zh-CN')] } });
    expect(zh.find('[data-testid="chat-preview-text"]').text()).toBe('您好，我是王医生');
    expect(zh.find('[data-testid="chat-preview-sample"]').text()).toContain('{staff}');
    const en = mount(ChatPreview, { props: { content: { text: 'Hi, this is {staff}' } }, global: { plugins: [createAppI18n('en')] } });
    expect(en.find('[data-testid="chat-preview-text"]').text()).toBe('Hi, this is Dr. Wang');
    expect(en.find('[data-testid="chat-preview-sample"]').text()).toContain('Dr. Wang');
    // The staff avatar's initial follows the language too (员 / S).
    expect(zh.find('.avatar').text()).toBe('员');
    expect(en.find('.avatar').text()).toBe('S');
  });

  it('shows text without variables as typed, with no sample note', () => {
    const wrapper = mount(ChatPreview, { props: { content: { text: '冬季补水 {限时}' } }, global: { plugins: [createAppI18n('zh-CN')] } });
    expect(wrapper.find('[data-testid="chat-preview-text"]').text()).toBe('冬季补水 {限时}');
    expect(wrapper.find('[data-testid="chat-preview-sample"]').exists()).toBe(false);
  });

  it('draws each attachment as the chat does: link card, image, mini-program card with its cover; uploaded images through this origin', () => {
    const wrapper = mount(ChatPreview, {
      props: {
        content: {
          text: '新品',
          attachments: [
            { type: 'link', title: '项目介绍', url: 'https://clinic.example.com/a', desc: '补水' },
            { type: 'image', url: 'https://clinic.example.com/api/campaign-media/7' },
            { type: 'miniprogram', appid: 'wx123', page: 'pages/index', title: '在线预约', picUrl: 'https://cdn.example.com/cover.png' },
          ],
        },
      },
      global: { plugins: [createAppI18n('zh-CN')] },
    });
    expect(wrapper.get('[data-testid="chat-preview-link"]').text()).toContain('项目介绍');
    // PUBLIC_URL may not be the dashboard's address: the stored image is shown through the API here.
    expect(wrapper.get('[data-testid="chat-preview-image"]').attributes('src')).toBe('/api/campaign-media/7');
    const card = wrapper.get('[data-testid="chat-preview-miniprogram"]');
    expect(card.text()).toContain('在线预约');
    expect(card.text()).toContain('小程序');
    expect(card.get('img').attributes('src')).toBe('https://cdn.example.com/cover.png');
  });
});
