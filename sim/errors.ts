/** WeCom error codes the simulator answers, with WeCom-like messages. */
export const ERR = {
  systemBusy: [-1, 'system busy'],
  invalidSecret: [40001, 'invalid credential, hint: invalid corpsecret'],
  invalidCorpId: [40013, 'invalid corpid'],
  invalidToken: [40014, 'invalid access_token'],
  invalidAgentId: [40056, 'invalid agentid'],
  invalidParam: [40058, 'invalid param'],
  invalidMediaId: [40007, 'invalid media_id'],
  invalidMsgType: [40008, 'invalid message type'],
  invalidTagId: [40068, 'invalid tagid'],
  invalidTagName: [40071, 'invalid tag name or tag name already exists'],
  invalidExternalUserId: [40096, 'invalid external userid'],
  missingToken: [41001, 'access_token missing'],
  missingCorpId: [41002, 'corpid missing'],
  missingSecret: [41004, 'corpsecret missing'],
  missingContactWayType: [41037, 'missing contact way type'],
  tooManyUsers: [41041, 'too many users in contact way'],
  noCustomerToSend: [41048, 'no customer to send'],
  welcomeCodeInvalid: [41050, 'invalid welcome_code or expired'],
  welcomeCodeUsed: [41051, 'welcome msg already sent or customer has started chatting'],
  tokenExpired: [42001, 'access_token expired'],
  freqLimit: [45009, 'api freq out of limit'],
  concurrencyLimit: [45033, 'api concurrent out of limit'],
  dataFormat: [47001, 'data format error'],
  noPermission: [48002, 'api forbidden'],
  userNotFound: [60111, 'userid not found'],
  allInvalid: [81013, 'user & party & tag all invalid'],
  noRelationship: [84061, 'not external contact'],
} as const satisfies Record<string, readonly [number, string]>;

/** Name of one entry of ERR. */
export type ErrName = keyof typeof ERR;

/** A WeCom API failure: answered as HTTP 200 `{errcode, errmsg}`. */
export class WecomError extends Error {
  /** Non-zero WeCom errcode. */
  readonly errcode: number;
  constructor(errcode: number, errmsg: string) {
    super(errmsg);
    this.errcode = errcode;
  }
}

/** Builds a WecomError from the table, with an optional detail appended like WeCom's hints. */
export function wecomError(name: ErrName, detail?: string): WecomError {
  const [code, msg] = ERR[name];
  return new WecomError(code, detail ? `${msg}, hint: [${detail}]` : msg);
}

/** The errmsg WeCom uses for a code, or a generic one for codes not in the table. */
export function errmsgFor(errcode: number): string {
  for (const [code, msg] of Object.values(ERR)) if (code === errcode) return msg;
  return `simulated error ${errcode}`;
}
