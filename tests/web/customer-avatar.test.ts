import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import CustomerAvatar from '../../web/src/components/CustomerAvatar.vue';

describe('CustomerAvatar', () => {
  it('shows the WeChat avatar, and the first character of the name once the image fails to load', async () => {
    const wrapper = mount(CustomerAvatar, { props: { src: 'https://wx.qlogo.cn/mmhead/x/0', name: '王小美', size: 32 } });
    expect(wrapper.find('img').attributes('src')).toBe('https://wx.qlogo.cn/mmhead/x/0');
    await wrapper.find('img').trigger('error');
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.text()).toBe('王');
  });

  it('renders a customer-supplied name as text, never as markup', () => {
    const wrapper = mount(CustomerAvatar, { props: { src: null, name: '<img src=x onerror=alert(1)>', size: 32 } });
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.text()).toBe('<');
  });
});
