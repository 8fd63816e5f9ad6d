/** A department of the corp. */
export type Department = { id: number; name: string; parentid: number; order: number };

/** An internal staff member (成员). */
export type Staff = {
  userid: string;
  name: string;
  department: number[];
  position: string;
  mobile: string;
  /** Whether the member has the customer-contact feature (only they can own contact ways). */
  customerContact: boolean;
};

/** An external contact (客户), plus the sim-only birthday the demo needs. */
export type Customer = {
  external_userid: string;
  name: string;
  avatar: string;
  /** 1 WeChat user, 2 WeCom user. */
  type: 1 | 2;
  /** 0 unknown, 1 male, 2 female. */
  gender: 0 | 1 | 2;
  unionid: string;
  /** Sim-only: YYYY-MM-DD; WeCom never returns it. */
  birthday: string;
  /** Sim-only: phone the customer left with the clinic. */
  mobile: string;
};

/** One staff member ↔ customer relationship (follow_user entry). */
export type Follow = {
  userid: string;
  external_userid: string;
  remark: string;
  description: string;
  /** Epoch seconds. */
  createtime: number;
  /** Corp tag ids on this relationship. */
  tag_ids: string[];
  remark_corp_name: string;
  remark_mobiles: string[];
  add_way: number;
  state: string;
  oper_userid: string;
  /** Monotonic insertion number: stable paging order for batch/get_by_user. */
  seq: number;
  /** Set when the relationship ended; kept in the per-staff array so cursors stay valid. */
  deleted: boolean;
};

/** A corp tag. */
export type CorpTag = { id: string; name: string; create_time: number; order: number; group_id: string };

/** A corp tag group. */
export type CorpTagGroup = { group_id: string; group_name: string; create_time: number; order: number };

/** A 「联系我」 configuration. */
export type ContactWay = {
  config_id: string;
  type: 1 | 2;
  scene: 1 | 2;
  style: number;
  remark: string;
  skip_verify: boolean;
  state: string;
  user: string[];
  party: number[];
  is_temp: boolean;
  expires_in: number;
  chat_expires_in: number;
  unionid: string;
  is_exclusive: boolean;
  conclusions: unknown;
  /** Epoch seconds. */
  create_time: number;
  /** Temp codes become invalid after the first add. */
  used: boolean;
  /** Round-robin pointer for multi-person codes. */
  next_user: number;
};

/** A welcome_code handed out with an add event. */
export type WelcomeCode = {
  code: string;
  userid: string;
  external_userid: string;
  /** Epoch ms when issued. */
  issuedAt: number;
  used: boolean;
};

/** A welcome message or app message the product sent, kept for tests to read. */
export type SentMessage = {
  kind: 'welcome' | 'app';
  /** Epoch ms. */
  at: number;
  msgid: string;
  /** Staff userids (app) or the customer (welcome). */
  to: string[];
  from: string;
  body: Record<string, unknown>;
  /** An app message past WeCom's per-member rate (30/min, 1,000/h): answered as sent, never delivered. */
  dropped?: true;
};

/** Per-staff task of a group message. */
export type GroupMsgTask = {
  userid: string;
  /** 0 not sent, 2 sent (WeCom's get_groupmsg_task statuses). */
  status: 0 | 2;
  send_time: number;
  external_userids: string[];
  /** external_userid → 0 not sent, 1 sent, 2 not a friend, 3 over quota. */
  results: Record<string, 0 | 1 | 2 | 3>;
  reminders: number[];
};

/** One add_msg_template call. */
export type GroupMsg = {
  msgid: string;
  creator: string;
  create_time: number;
  /** 0 made by the company (API), 1 by a member. */
  create_type: 0 | 1;
  text: unknown;
  attachments: unknown[];
  tasks: GroupMsgTask[];
  canceled: boolean;
};

/** One attempt at delivering one callback. */
export type DeliveryAttempt = {
  attempt: number;
  /** Epoch ms. */
  at: number;
  /** HTTP status, or null when the request failed (timeout, refused). */
  status: number | null;
  error: string | null;
  ms: number;
};

/** A callback the simulator emitted and its delivery history. */
export type Delivery = {
  id: string;
  event: string;
  changeType: string;
  url: string | null;
  xml: string;
  attempts: DeliveryAttempt[];
  /** pending while attempts remain; delivered on HTTP 200; failed after the last attempt. */
  outcome: 'pending' | 'delivered' | 'failed' | 'no_callback_url';
};

/** Everything the simulator knows; plain data so it can be saved as JSON. */
export type SimState = {
  departments: Department[];
  staff: Map<string, Staff>;
  customers: Map<string, Customer>;
  /** external_userid → userid → relationship. */
  followsByCustomer: Map<string, Map<string, Follow>>;
  /** userid → relationships in add order (with tombstones), for cursor paging. */
  followsByStaff: Map<string, Follow[]>;
  tagGroups: Map<string, CorpTagGroup>;
  tags: Map<string, CorpTag>;
  contactWays: Map<string, ContactWay>;
  welcomeCodes: Map<string, WelcomeCode>;
  messages: SentMessage[];
  groupMsgs: Map<string, GroupMsg>;
  /** Temporary media issued by media/upload: media_id → created_at (s); WeCom keeps them 3 days. */
  media: Map<string, number>;
  /** `${external_userid}|${YYYY-MM}` → mass messages received that month. */
  monthlyReceived: Map<string, number>;
  deliveries: Delivery[];
  nextSeq: number;
  nextTagNumber: number;
};

/** An empty state. */
export function createEmptyState(): SimState {
  return {
    departments: [],
    staff: new Map(),
    customers: new Map(),
    followsByCustomer: new Map(),
    followsByStaff: new Map(),
    tagGroups: new Map(),
    tags: new Map(),
    contactWays: new Map(),
    welcomeCodes: new Map(),
    messages: [],
    groupMsgs: new Map(),
    media: new Map(),
    monthlyReceived: new Map(),
    deliveries: [],
    nextSeq: 1,
    nextTagNumber: 1,
  };
}

/** Adds (or revives) a relationship, keeping both indexes in step. */
export function addFollow(state: SimState, f: Omit<Follow, 'seq' | 'deleted'>): Follow {
  const follow: Follow = { ...f, seq: state.nextSeq++, deleted: false };
  let byUser = state.followsByCustomer.get(f.external_userid);
  if (!byUser) state.followsByCustomer.set(f.external_userid, (byUser = new Map()));
  const old = byUser.get(f.userid);
  if (old) old.deleted = true;
  byUser.set(f.userid, follow);
  let list = state.followsByStaff.get(f.userid);
  if (!list) state.followsByStaff.set(f.userid, (list = []));
  list.push(follow);
  return follow;
}

/** Ends a relationship; returns it, or undefined when there was none. */
export function removeFollow(state: SimState, userid: string, externalUserid: string): Follow | undefined {
  const byUser = state.followsByCustomer.get(externalUserid);
  const follow = byUser?.get(userid);
  if (!byUser || !follow) return undefined;
  follow.deleted = true;
  byUser.delete(userid);
  return follow;
}

/** The live relationship between a staff member and a customer. */
export function getFollow(state: SimState, userid: string, externalUserid: string): Follow | undefined {
  return state.followsByCustomer.get(externalUserid)?.get(userid);
}
