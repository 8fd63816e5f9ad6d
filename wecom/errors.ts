/**
 * WeCom failures, reduced to a handful of categories that callers reason about instead of errcodes.
 * The table below is the single source of truth: category, retryability and the admin-facing
 * advice for every errcode this product knows; the reason column says why a row is where it is.
 */

/** What a caller should do about a failed WeCom call, independent of the exact errcode. */
export type WeComErrorCategory =
  | 'token'
  | 'rate_limited'
  | 'not_ready'
  | 'configuration'
  | 'invalid_request'
  | 'relationship_gone'
  | 'unknown';

/** A message in both dashboard languages. */
export type BilingualMessage = { zh: string; en: string };

/** One row of the errcode table. */
export type WeComErrcodeRule = {
  category: WeComErrorCategory;
  retryable: boolean;
  /** What happened, and for configuration errors what the admin must change. */
  messages: BilingualMessage;
  /** Why the row has this category and retry rule. */
  reason: string;
};

const busy = (zh: string, en: string, reason: string): WeComErrcodeRule => ({
  category: 'rate_limited',
  retryable: true,
  messages: { zh, en },
  reason,
});

const config = (zh: string, en: string, reason: string): WeComErrcodeRule => ({
  category: 'configuration',
  retryable: false,
  messages: { zh, en },
  reason,
});

const invalid = (zh: string, en: string, reason: string): WeComErrcodeRule => ({
  category: 'invalid_request',
  retryable: false,
  messages: { zh, en },
  reason,
});

const token = (zh: string, en: string, retryable = true): WeComErrcodeRule => ({
  category: 'token',
  // The client refreshes once and retries at once. If that fails too, the fresh token was revoked
  // as well (another process refreshed, or WeCom revoked early again): a later attempt with the
  // next token usually succeeds, so Temporal retries with backoff. A missing token is a bug.
  retryable,
  messages: { zh, en },
  reason: retryable
    ? 'the client refreshes the token and retries once; if that fails too, Temporal retries later with the next token'
    : 'a request without a token is a bug in the caller, not a transient state',
});

/** Every errcode the product handles specifically; anything else is `unknown`. */
export const WECOM_ERRCODE_TABLE: Readonly<Record<number, WeComErrcodeRule>> = Object.freeze({
  // token: the client asks the token provider for a new token and repeats the call once.
  40014: token('access_token 无效(可能已被企业微信提前作废)', 'The access token is invalid (WeCom may have revoked it early).'),
  42001: token('access_token 已过期', 'The access token has expired.'),
  41001: token('请求缺少 access_token', 'The request carried no access token.', false),

  // rate_limited: back off and let Temporal retry.
  45009: busy('接口调用超过频率限制,请稍后重试', 'WeCom API frequency limit reached; retrying later.',
    'minute/hour quotas reset on their own (a minute block lasts 60 s)'),
  45033: busy('接口并发调用超过限制,请稍后重试', 'Too many concurrent WeCom calls; retrying later.',
    'concurrency frees up as soon as other calls finish'),
  [-1]: busy('企业微信系统繁忙,请稍后重试', 'WeCom is busy; retrying later.',
    'WeCom documents -1 as transient and recommends retrying'),
  41096: busy('其他应用正在发送欢迎语,请稍后重试', 'Another app is sending the welcome message; retrying shortly.',
    'contention with another app on the same welcome_code; it may clear inside the 20 s window'),

  // not_ready: the object exists but WeCom has not finished preparing it.
  41063: {
    category: 'not_ready',
    retryable: true,
    messages: { zh: '群发消息仍在派发中,请稍后再查询', en: 'The mass message is still being dispatched; query again later.' },
    reason: 'results of add_msg_template appear asynchronously; asking again later succeeds',
  },

  // configuration: an admin must change something; retrying cannot help and burns the quota.
  40001: config('Secret 不正确:请在「应用管理 → 应用详情」中复制该应用的 Secret 重新填写',
    'The Secret is wrong: copy the app\'s Secret from App Management → app details and save it again.',
    '40001 is an invalid secret, not an expired token; a refresh would fail the same way'),
  40013: config('CorpID 不正确:请在管理后台「我的企业 → 企业信息」中核对企业 ID',
    'The CorpID is wrong: check the Corp ID under My Company → Company Info in the admin console.',
    'the corp id is part of the configuration'),
  40091: config('Secret 不属于该企业:请确认 Secret 与 CorpID 来自同一企业',
    'The Secret belongs to another corp: make sure the Secret and the CorpID come from the same company.',
    'mismatched credentials are a configuration mistake'),
  40056: config('AgentID 不正确:请在「应用管理 → 应用详情」中核对 AgentId',
    'The AgentID is wrong: check the AgentId in App Management → app details.',
    'the agent id is part of the configuration'),
  48002: config('该应用无此接口权限:请在「客户与上下游 → 客户联系 → API → 可调用接口的应用」中添加本应用',
    'The app may not call this API: add it under Customer Contact → API → apps that can call the API in the admin console.',
    'permission is granted in the admin console, not by retrying'),
  60011: config('应用无权访问该成员/部门:请把相关成员加入本应用的可见范围',
    'The app cannot see this member or department: add them to the app\'s visibility scope.',
    'visibility scope is set in the admin console'),
  60020: config('服务器 IP 不在应用的企业可信 IP 中:请在「应用管理 → 应用详情 → 企业可信IP」中添加本服务器的出口 IP',
    'This server\'s IP is not trusted: add its outbound IP to the app\'s Trusted IPs (App Management → app details → Trusted IP).',
    'the trusted-IP list is set in the admin console'),

  // relationship_gone: the customer is no longer reachable under this id; stop and record it.
  84061: {
    category: 'relationship_gone',
    retryable: false,
    messages: { zh: '该成员与客户之间不存在好友关系', en: 'The staff member and the customer are no longer contacts.' },
    reason: 'the customer or the staff member deleted the contact; the relationship will not come back by retrying',
  },
  40096: {
    category: 'relationship_gone',
    retryable: false,
    messages: { zh: '外部联系人 ID 无效', en: 'The external contact id is not valid for this corp.' },
    reason: 'external ids only come from WeCom itself, so a rejected one means the customer is gone for this app',
  },

  // invalid_request: the call was understood and refused; repeating it gives the same answer.
  40003: invalid('成员 UserID 无效(成员可能已离职)', 'Invalid staff UserID (the member may have left).',
    'the member does not exist; retrying gives the same answer'),
  60111: invalid('成员 UserID 不存在:请检查填写的成员账号是否正确、成员是否已离职', 'No member with this UserID: check the account and whether the member has left.',
    'the member does not exist; retrying gives the same answer'),
  40058: invalid('参数不合法,请对照接口说明检查请求', 'Invalid parameter; check the request against the API docs.',
    'a malformed request stays malformed'),
  41041: invalid('「联系我」使用人数超过 100 人', 'A contact code may have at most 100 members.',
    'documented hard limit per contact code'),
  41048: invalid('没有可发送的客户', 'There is no customer to send to.',
    'the audience is empty or every customer is over quota; nothing to retry'),
  41050: invalid('welcome_code 无效或已过期(20 秒内有效)', 'The welcome code is invalid or expired (it lives 20 s).',
    'an expired welcome code never becomes valid again'),
  41051: invalid('欢迎语已发送或客户已开始聊天', 'The welcome message was already sent, or the chat has started.',
    'the welcome code is single-use; a retry could never succeed and must not be attempted'),
  81013: invalid('接收人全部无效(成员、部门、标签均无效)', 'Every recipient is invalid (no valid member, department or tag).',
    'the recipients do not exist; retrying gives the same answer'),
});

const UNKNOWN_RULE: WeComErrcodeRule = {
  category: 'unknown',
  retryable: false,
  messages: { zh: '企业微信返回了未识别的错误', en: 'WeCom returned an unrecognised error.' },
  // Most undocumented WeCom codes describe the request or a permission; surface them to an operator,
  // who can retry from the Temporal UI once the cause is understood.
  reason: 'unknown codes are mostly deterministic; an operator decides',
};

/** Looks up the rule for an errcode; codes absent from the table are `unknown`, not retried. */
export function classifyErrcode(errcode: number): WeComErrcodeRule {
  return WECOM_ERRCODE_TABLE[errcode] ?? UNKNOWN_RULE;
}

/** A WeCom API call answered HTTP 200 with a non-zero errcode. */
export class WeComApiError extends Error {
  override readonly name = 'WeComApiError';
  readonly code = 'wecom_api_error';
  readonly errcode: number;
  readonly errmsg: string;
  readonly category: WeComErrorCategory;
  readonly retryable: boolean;
  readonly path: string;
  readonly messages: BilingualMessage;

  constructor(init: { errcode: number; errmsg: string; path: string }) {
    const rule = classifyErrcode(init.errcode);
    super(`WeCom ${init.path} failed with errcode ${init.errcode} (${init.errmsg}): ${rule.messages.en}`);
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.category = rule.category;
    this.retryable = rule.retryable;
    this.path = init.path;
    this.messages = rule.messages;
  }
}

/** Why a call never produced a WeCom answer. */
export type WeComTransportErrorKind = 'network' | 'timeout' | 'http_status' | 'bad_response';

/** The call failed below the WeCom protocol (network, timeout, non-2xx, non-JSON body): retryable. */
export class WeComTransportError extends Error {
  override readonly name = 'WeComTransportError';
  readonly code = 'wecom_transport_error';
  readonly kind: WeComTransportErrorKind;
  readonly status: number | undefined;
  readonly path: string;
  // A transport failure says nothing about the request itself, so Temporal may try again.
  readonly retryable = true;

  /** `detail` must be safe to show anywhere: there is deliberately no `cause` (see wecom/http.ts). */
  constructor(init: { kind: WeComTransportErrorKind; path: string; status?: number; detail?: string }) {
    const status = init.status === undefined ? '' : ` HTTP ${init.status}`;
    super(`WeCom ${init.path} transport failure (${init.kind}${status})${init.detail ? `: ${init.detail}` : ''}`);
    this.kind = init.kind;
    this.status = init.status;
    this.path = init.path;
  }
}

/** A request failed local validation (e.g. `state` over 30 chars) and was never sent. */
export class WeComRequestValidationError extends Error {
  override readonly name = 'WeComRequestValidationError';
  readonly code = 'wecom_request_invalid';
  readonly retryable = false;
  readonly path: string;
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(path: string, issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`WeCom ${path} request is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.path = path;
    this.issues = issues;
  }
}

/** WeCom answered errcode 0 with a body this client does not understand (a contract change). */
export class WeComResponseShapeError extends Error {
  override readonly name = 'WeComResponseShapeError';
  readonly code = 'wecom_response_shape';
  readonly retryable = false;
  readonly path: string;

  constructor(path: string, detail: string) {
    super(`WeCom ${path} returned an unexpected body: ${detail}`);
    this.path = path;
  }
}
