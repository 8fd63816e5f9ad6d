import { describe, expect, it } from 'vitest';
import { fillSenderVariables, unsupportedVariables } from '../../common/content-variables.ts';

describe('content variables', () => {
  it('fills {staff} with the sender\'s name and leaves other braces alone', () => {
    expect(fillSenderVariables('我是{staff}，{staff}在店里等您 {限时}', { staff: '李四' })).toBe('我是李四，李四在店里等您 {限时}');
    // An unnamed sender must not leak a raw placeholder to customers.
    expect(fillSenderVariables('我是{staff}', {})).toBe('我是');
  });

  it('names each per-customer placeholder once, so the save error can list them', () => {
    expect(unsupportedVariables('{name} 您好，{staff} 提醒：{name} 的 {phone}')).toEqual(['{name}', '{phone}']);
    expect(unsupportedVariables('{staff} 祝您生日快乐 {生日}')).toEqual([]);
  });
});
