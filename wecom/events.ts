import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MalformedXmlError } from './callback-errors.ts';
import { parseXmlRoot, xmlText } from './xml.ts';
import type { XmlRecord } from './xml.ts';

/*
 * Decrypted callback XML → one typed event. Every ID stays a string (MsgId exceeds 2^53); `raw`
 * keeps every field as received so that nothing WeCom sent is lost, whichever kind is chosen.
 */

const rawSchema = z.record(z.string(), z.unknown());
const base = {
  /** The CorpID the event was addressed to. */
  toUserName: z.string(),
  /** "sys" for system events; the staff UserID for messages. */
  fromUserName: z.string(),
  /** Seconds since the epoch (1-second resolution, so never unique on its own). */
  createTime: z.number().int().nonnegative(),
  raw: rawSchema,
};

const contactFields = {
  ...base,
  userId: z.string().min(1),
  externalUserId: z.string().min(1),
};

/** A customer added a staff member (scanned a 「联系我」 code, searched a phone number…). */
export const addExternalContactSchema = z.object({
  kind: z.literal('add_external_contact'),
  ...contactFields,
  /** The `state` of the contact code that was scanned: the channel label. */
  state: z.string().optional(),
  /** Single-use code for send_welcome_msg, valid 20 s; WeCom sometimes omits it. */
  welcomeCode: z.string().optional(),
});

/** A customer asked to add a staff member who has not accepted yet. */
export const addHalfExternalContactSchema = z.object({
  kind: z.literal('add_half_external_contact'),
  ...contactFields,
  state: z.string().optional(),
  welcomeCode: z.string().optional(),
});

/** A staff member edited the customer's remark, description, tags… */
export const editExternalContactSchema = z.object({ kind: z.literal('edit_external_contact'), ...contactFields });

/** A staff member deleted the customer. */
export const delExternalContactSchema = z.object({
  kind: z.literal('del_external_contact'),
  ...contactFields,
  /** e.g. DELETE_BY_TRANSFER when the deletion came from a succession transfer. */
  source: z.string().optional(),
});

/** The customer deleted the staff member. */
export const delFollowUserSchema = z.object({ kind: z.literal('del_follow_user'), ...contactFields });

/** A customer transfer (在职/离职继承) failed. */
export const transferFailSchema = z.object({
  kind: z.literal('transfer_fail'),
  ...contactFields,
  /** e.g. customer_refused, customer_limit_exceed. */
  failReason: z.string().optional(),
});

/** A corp tag or tag group was created, renamed, deleted or reordered. */
export const changeExternalTagSchema = z.object({
  kind: z.literal('change_external_tag'),
  ...base,
  changeType: z.enum(['create', 'update', 'delete', 'shuffle']),
  /** Tag or group id (the group id for shuffle); absent on a shuffle of the whole list. */
  tagId: z.string().optional(),
  tagType: z.enum(['tag', 'tag_group']).optional(),
  /** Set for rule-group (strategy) tags. */
  strategyId: z.string().optional(),
});

/** A customer group chat was created, updated or dismissed. */
export const changeExternalChatSchema = z.object({
  kind: z.literal('change_external_chat'),
  ...base,
  changeType: z.string().min(1),
  chatId: z.string().min(1),
  /** For update: add_member, del_member, change_owner, change_name, change_notice. */
  updateDetail: z.string().optional(),
});

/** A message that a staff member sent to the app (never a customer: that needs 会话存档). */
export const staffMessageSchema = z.object({
  kind: z.literal('message'),
  ...base,
  msgType: z.string().min(1),
  msgId: z.string().min(1),
  agentId: z.string().optional(),
  /** Text of a `text` message. */
  content: z.string().optional(),
});

/** Anything else; the event is kept so it can be logged and handled later. */
export const unknownEventSchema = z.object({
  kind: z.literal('unknown'),
  toUserName: z.string().optional(),
  fromUserName: z.string().optional(),
  createTime: z.number().int().nonnegative().optional(),
  msgType: z.string().optional(),
  event: z.string().optional(),
  changeType: z.string().optional(),
  /** Why a recognised event fell back here (e.g. a missing required field). */
  issue: z.string().optional(),
  raw: rawSchema,
});

/** Every callback event this product distinguishes, discriminated by `kind`. */
export const weComEventSchema = z.discriminatedUnion('kind', [
  addExternalContactSchema,
  addHalfExternalContactSchema,
  editExternalContactSchema,
  delExternalContactSchema,
  delFollowUserSchema,
  transferFailSchema,
  changeExternalTagSchema,
  changeExternalChatSchema,
  staffMessageSchema,
  unknownEventSchema,
]);

/** A typed callback event. */
export type WeComEvent = z.infer<typeof weComEventSchema>;
/** The `kind` values of WeComEvent. */
export type WeComEventKind = WeComEvent['kind'];

/** A parsed event and the key that identifies its redeliveries. */
export type ParsedCallbackEvent = { event: WeComEvent; dedupeKey: string };

const CONTACT_CHANGE_TYPES = new Set([
  'add_external_contact',
  'add_half_external_contact',
  'edit_external_contact',
  'del_external_contact',
  'del_follow_user',
  'transfer_fail',
]);

function kindOf(msgType: string | undefined, eventName: string | undefined, changeType: string | undefined): string {
  if (msgType === undefined || msgType === '') return 'unknown';
  if (msgType !== 'event') return 'message';
  if (eventName === 'change_external_contact' && changeType !== undefined && CONTACT_CHANGE_TYPES.has(changeType)) {
    return changeType;
  }
  if (eventName === 'change_external_tag' || eventName === 'change_external_chat') return eventName;
  return 'unknown';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function toEvent(raw: XmlRecord): WeComEvent {
  const text = (key: string): string | undefined => xmlText(raw, key);
  const opt = (key: string): string | undefined => nonEmpty(text(key));
  const msgType = text('MsgType');
  const eventName = text('Event');
  const changeType = text('ChangeType');
  const createTimeText = text('CreateTime');
  const createTime = createTimeText !== undefined && /^\d+$/.test(createTimeText) ? Number(createTimeText) : undefined;
  const kind = kindOf(msgType, eventName, changeType);

  const candidate = {
    kind,
    toUserName: text('ToUserName'),
    fromUserName: text('FromUserName'),
    createTime,
    raw,
    userId: text('UserID'),
    externalUserId: text('ExternalUserID'),
    state: opt('State'),
    welcomeCode: opt('WelcomeCode'),
    source: opt('Source'),
    failReason: opt('FailReason'),
    changeType,
    tagId: opt('Id'),
    tagType: opt('TagType'),
    strategyId: opt('StrategyId'),
    chatId: text('ChatId'),
    updateDetail: opt('UpdateDetail'),
    msgType,
    event: eventName,
    msgId: text('MsgId'),
    agentId: opt('AgentID'),
    content: text('Content'),
  };
  const parsed = weComEventSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  return {
    kind: 'unknown',
    toUserName: text('ToUserName'),
    fromUserName: text('FromUserName'),
    createTime,
    msgType,
    event: eventName,
    changeType,
    ...(kind === 'unknown' ? {} : { issue: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }),
    raw,
  };
}

// Temporal accepts long ids, but short, plain ones read well in its UI and logs.
const SAFE_KEY = /^[A-Za-z0-9_.@:-]{1,120}$/;

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/** Sorted-key copy, so that the same content always serialises the same way. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((k) => [k, canonical(record[k])]));
  }
  return value;
}

/**
 * Deterministic key for WeCom's redeliveries of one event: same content → same key; two customers
 * added in the same second → different keys. Built from the identifying fields, never CreateTime alone.
 */
export function eventDedupeKey(event: WeComEvent): string {
  const raw = event.raw;
  const field = (key: string): string => {
    const value = raw[key];
    return typeof value === 'string' ? value : '';
  };
  let parts: string[];
  switch (event.kind) {
    case 'message':
      // MsgId is unique per message; WeCom reuses it on redelivery.
      parts = ['msg', event.msgId];
      break;
    case 'change_external_tag':
      parts = ['tag', event.changeType, event.tagType ?? '', event.tagId ?? '', event.strategyId ?? '', field('CreateTime')];
      break;
    case 'change_external_chat': {
      // Joins/leaves in the same second differ only in the member list, so it goes in as a hash.
      const members = raw['MemChangeList'];
      parts = ['chat', event.changeType, event.chatId, event.updateDetail ?? '', field('CreateTime')];
      if (members !== undefined) parts.push(hashOf(canonical(members)).slice(0, 12));
      break;
    }
    case 'unknown':
      // Nothing is known to identify it, so the whole content does.
      return `unknown:${hashOf(canonical(raw))}`;
    default:
      parts = [event.kind, event.userId, event.externalUserId, field('CreateTime')];
  }
  const key = parts.join(':');
  return SAFE_KEY.test(key) ? key : `${parts[0]}:${hashOf(parts)}`;
}

/** Parses decrypted callback XML into a typed event and its dedupe key. */
export function parseCallbackEvent(xml: string): ParsedCallbackEvent {
  const raw = parseXmlRoot(xml);
  if (raw === null) throw new MalformedXmlError('decrypted message is not an <xml> document');
  const event = toEvent(raw);
  return { event, dedupeKey: eventDedupeKey(event) };
}
