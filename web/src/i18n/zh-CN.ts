/** Simplified Chinese, the dashboard's first language and the shape every other locale must match. */
export const zhCN = {
  app: {
    name: '医美企微助手',
    tagline: '企业微信客户运营自动化',
    langSwitch: 'English',
    langSwitchLabel: '切换语言为英文',
  },
  nav: {
    label: '主导航',
    home: '首页',
    wecomConfig: '企业微信配置',
    contactWays: '渠道活码',
    customers: '客户',
    campaigns: '群发',
    comingSoon: '即将上线',
  },
  status: {
    up: '正常',
    down: '故障',
    'no-pollers': '无在线工作进程',
    'not-configured': '未配置',
    configured: '已配置',
    unreachable: '无法连接',
  },
  home: {
    title: '系统状态',
    subtitle: '平台各组件的运行状况，本页每 5 秒自动刷新。',
    loading: '正在检查系统状态…',
    unreachableTitle: 'API 服务器无法访问',
    unreachableBody: '无法连接到 API 服务器。请确认 npm run dev 正在运行，然后稍候本页会自动重试。',
    requestFailedTitle: '获取系统状态失败',
    staleNotice: '下方显示的是最后一次成功获取的状态。',
    overallOk: '所有组件运行正常',
    overallDegraded: '部分组件异常，请按卡片中的提示处理',
    lastChecked: '最后检查：{time}',
    version: '版本 {version}',
    openTemporalUi: '打开 Temporal 控制台',
    components: {
      database: '数据库',
      temporal: '工作流引擎',
      worker: '工作进程',
      wecom: '企业微信配置',
    },
    pollers: '在线轮询数：{count}',
    corpId: '企业 ID：{corpId}',
    notConfigured: '未配置',
    latency: '响应 {ms} ms',
    howToFix: '原因与处理',
  },
  probe: {
    title: '端到端探测',
    description: '经由工作进程执行一次真实的工作流往返（API → Temporal → 工作进程 → 数据库），确认整条链路可用。',
    run: '运行端到端探测',
    running: '探测中…',
    succeeded: '探测成功：往返 {ms} ms',
    failed: '探测失败',
    roundTrip: '往返耗时：{ms} ms',
    workflowId: '工作流 ID：{id}',
    workerIdentity: '执行进程：{identity}',
    databaseOk: '数据库读写：正常',
    databaseFailed: '数据库读写：失败',
  },
} as const satisfies MessageTree;

/** A nested table of message strings. */
export interface MessageTree {
  readonly [key: string]: string | MessageTree;
}

/** Replaces every string leaf of a message table by `string`, so other locales need not match the text. */
type Widen<T> = { readonly [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };

/** The shape every locale's messages must have (same keys as zh-CN). */
export type MessageSchema = Widen<typeof zhCN>;
