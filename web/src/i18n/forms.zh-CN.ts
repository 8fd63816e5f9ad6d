/** zh-CN messages added when the remaining hand-made forms moved onto the kit; spread into zh-CN.ts. */
export const formsZhCN = {
  forms: {
    retentionDaysInvalid: '请填写 1–3650 之间的整数天数，或留空表示永久保留',
  },
};
