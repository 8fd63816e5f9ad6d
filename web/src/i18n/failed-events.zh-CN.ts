/** 系统状态页「失败的事件」面板的中文文案；并入 zh-CN.ts。 */
export const failedEventsZhCN = {
  failedEvents: {
    title: '失败的事件',
    hint: '企业微信回调中未能启动（死信）或未能完成的事件及其原因。排除原因后（如补齐接口权限），可在此重试或重新运行；每次操作都会记入操作日志。',
    deadLetters: '死信（未能启动）',
    workflows: '未完成的事件工作流',
    noDeadLetters: '没有死信',
    noWorkflows: '没有失败的事件工作流',
    event: '事件',
    reason: '原因',
    since: '时间',
    actions: '操作',
    attempts: '已尝试 {count} 次',
    retry: '重试',
    rerun: '重新运行',
    confirmRetry: '确定将死信「{name}」重新放回队列吗？请先确认失败原因已排除。',
    confirmRerun: '确定重新运行事件工作流「{name}」吗？请先确认失败原因已排除。',
    retried: '已重新放回队列',
    rerunStarted: '已重新运行',
    status: { FAILED: '失败', TERMINATED: '已终止', TIMED_OUT: '已超时', CANCELLED: '已取消' },
    errors: {
      dead_letter_not_found: '这条死信已不存在（可能已被重试）',
      event_not_found: '找不到启动该工作流的回调记录（可能已按保留期清理）',
      event_not_failed: '该事件的工作流未失败或正在运行，无需重新运行',
      inbox_unavailable: '当前 API 进程没有回调收件箱',
    },
  },
} as const;
