import { describe, expect, it } from 'vitest';
import { CallbackCrypto } from '../../wecom/callback-crypto.ts';
import { MalformedXmlError } from '../../wecom/callback-errors.ts';
import { parseCallbackEvent } from '../../wecom/events.ts';

const CORP = 'ww1234567890abcdef';

/** Builds callback XML the way WeCom writes it: strings in CDATA, numbers bare. */
function xml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => (typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`))
    .join('');
  return `<xml>${body}</xml>`;
}

function contactEvent(changeType: string, extra: Record<string, string | number> = {}): string {
  return xml({
    ToUserName: CORP,
    FromUserName: 'sys',
    CreateTime: 1700000000,
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: changeType,
    UserID: 'zhangsan',
    ExternalUserID: 'wmEAlECwAAHrbWYDOK5u3Af13xlYDDNQ',
    ...extra,
  });
}

describe('event kinds', () => {
  it('parses add_external_contact with the channel state and welcome code', () => {
    const { event } = parseCallbackEvent(contactEvent('add_external_contact', { State: 'xhs_2024', WelcomeCode: 'WC_abc' }));
    expect(event).toMatchObject({
      kind: 'add_external_contact',
      toUserName: CORP,
      fromUserName: 'sys',
      createTime: 1700000000,
      userId: 'zhangsan',
      externalUserId: 'wmEAlECwAAHrbWYDOK5u3Af13xlYDDNQ',
      state: 'xhs_2024',
      welcomeCode: 'WC_abc',
    });
  });

  it('parses add_external_contact without a WelcomeCode (WeCom sometimes omits it)', () => {
    const { event } = parseCallbackEvent(contactEvent('add_external_contact', { State: '' }));
    expect(event.kind).toBe('add_external_contact');
    if (event.kind !== 'add_external_contact') return;
    expect(event.welcomeCode).toBeUndefined();
    expect(event.state).toBeUndefined();
  });

  it('parses add_half_external_contact, edit_external_contact and del_follow_user', () => {
    expect(parseCallbackEvent(contactEvent('add_half_external_contact', { State: 'dy' })).event).toMatchObject({
      kind: 'add_half_external_contact',
      state: 'dy',
    });
    expect(parseCallbackEvent(contactEvent('edit_external_contact')).event.kind).toBe('edit_external_contact');
    expect(parseCallbackEvent(contactEvent('del_follow_user')).event).toMatchObject({
      kind: 'del_follow_user',
      userId: 'zhangsan',
    });
  });

  it('parses del_external_contact with its Source', () => {
    const { event } = parseCallbackEvent(contactEvent('del_external_contact', { Source: 'DELETE_BY_TRANSFER' }));
    expect(event).toMatchObject({ kind: 'del_external_contact', source: 'DELETE_BY_TRANSFER' });
  });

  it('parses transfer_fail with its FailReason', () => {
    const { event } = parseCallbackEvent(contactEvent('transfer_fail', { FailReason: 'customer_refused' }));
    expect(event).toMatchObject({ kind: 'transfer_fail', failReason: 'customer_refused' });
  });

  it('parses change_external_tag, keeping the tag id a string', () => {
    const { event } = parseCallbackEvent(
      xml({
        ToUserName: CORP,
        FromUserName: 'sys',
        CreateTime: 1700000001,
        MsgType: 'event',
        Event: 'change_external_tag',
        Id: 'etXXXXXXXXXX',
        TagType: 'tag',
        ChangeType: 'update',
        StrategyId: '1',
      }),
    );
    expect(event).toMatchObject({
      kind: 'change_external_tag',
      changeType: 'update',
      tagId: 'etXXXXXXXXXX',
      tagType: 'tag',
      strategyId: '1',
    });
  });

  it('parses change_external_chat', () => {
    const { event } = parseCallbackEvent(
      xml({
        ToUserName: CORP,
        FromUserName: 'sys',
        CreateTime: 1700000002,
        MsgType: 'event',
        Event: 'change_external_chat',
        ChatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA',
        ChangeType: 'update',
        UpdateDetail: 'add_member',
      }),
    );
    expect(event).toMatchObject({ kind: 'change_external_chat', chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', updateDetail: 'add_member' });
  });

  it('parses a staff text message keeping MsgId exact (above 2^53)', () => {
    // The official POST vector's plaintext.
    const { event } = parseCallbackEvent(
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
    );
    expect(event).toMatchObject({
      kind: 'message',
      msgType: 'text',
      msgId: '4561255354251345929',
      agentId: '218',
      content: 'hello',
      fromUserName: 'mycreate',
      createTime: 1409659813,
    });
  });

  it('keeps IDs that look numeric as strings, leading zeros included', () => {
    const { event } = parseCallbackEvent(contactEvent('edit_external_contact', { UserID: '007' }));
    expect(event).toMatchObject({ userId: '007' });
  });

  it('keeps an unrecognised event with all its raw fields', () => {
    const { event } = parseCallbackEvent(
      xml({ ToUserName: CORP, FromUserName: 'zhangsan', CreateTime: 1700000003, MsgType: 'event', Event: 'enter_agent', EventKey: '' }),
    );
    expect(event).toMatchObject({
      kind: 'unknown',
      event: 'enter_agent',
      raw: { Event: 'enter_agent', FromUserName: 'zhangsan', EventKey: '' },
    });
  });

  it('falls back to unknown, with the reason, when a known event lacks a required field', () => {
    const broken = contactEvent('add_external_contact').replace(/<UserID>.*?<\/UserID>/, '');
    const { event } = parseCallbackEvent(broken);
    expect(event.kind).toBe('unknown');
    if (event.kind !== 'unknown') return;
    expect(event.changeType).toBe('add_external_contact');
    expect(event.issue).toContain('userId');
    expect(event.raw['ExternalUserID']).toBe('wmEAlECwAAHrbWYDOK5u3Af13xlYDDNQ');
  });

  it('rejects text that is not XML', () => {
    expect(() => parseCallbackEvent('{"not":"xml"}')).toThrow(MalformedXmlError);
  });
});

describe('dedupe key', () => {
  it('is the same for a redelivery, even though the ciphertext differs', () => {
    const crypto = new CallbackCrypto({ token: 't', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: CORP });
    const inner = contactEvent('add_external_contact', { State: 'xhs', WelcomeCode: 'WC1' });
    const first = crypto.encryptCallback(inner, { timestamp: '1700000000', nonce: 'a' });
    const retry = crypto.encryptCallback(inner, { timestamp: '1700000005', nonce: 'b' });
    expect(first.body).not.toBe(retry.body);
    const keyOf = (post: typeof first) => parseCallbackEvent(crypto.decryptCallback(post).xml).dedupeKey;
    expect(keyOf(first)).toBe(keyOf(retry));
  });

  it('differs for two customers added to the same staff member in the same second', () => {
    const a = parseCallbackEvent(contactEvent('add_external_contact', { ExternalUserID: 'wmAAAA' })).dedupeKey;
    const b = parseCallbackEvent(contactEvent('add_external_contact', { ExternalUserID: 'wmBBBB' })).dedupeKey;
    expect(a).not.toBe(b);
  });

  it('differs for one customer adding two staff members in the same second, and per change type', () => {
    const a = parseCallbackEvent(contactEvent('add_external_contact', { UserID: 'lisi' })).dedupeKey;
    const b = parseCallbackEvent(contactEvent('add_external_contact', { UserID: 'wangwu' })).dedupeKey;
    const del = parseCallbackEvent(contactEvent('del_follow_user', { UserID: 'lisi' })).dedupeKey;
    expect(new Set([a, b, del]).size).toBe(3);
  });

  it('is short and safe for a Temporal workflow id', () => {
    const keys = [
      parseCallbackEvent(contactEvent('add_external_contact')).dedupeKey,
      parseCallbackEvent(contactEvent('add_external_contact', { UserID: '张三' })).dedupeKey,
      parseCallbackEvent(contactEvent('edit_external_contact', { ExternalUserID: 'wm'.padEnd(300, 'x') })).dedupeKey,
      parseCallbackEvent(xml({ MsgType: 'event', Event: 'something_new', CreateTime: 1 })).dedupeKey,
    ];
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_.@:-]{1,120}$/);
    expect(keys[0]).toBe('add_external_contact:zhangsan:wmEAlECwAAHrbWYDOK5u3Af13xlYDDNQ:1700000000');
  });

  it('uses MsgId for staff messages and Id/TagType for tag events', () => {
    const msg = (id: string) =>
      parseCallbackEvent(xml({ ToUserName: CORP, FromUserName: 'zs', CreateTime: 1, MsgType: 'text', Content: 'x', MsgId: id }));
    expect(msg('4561255354251345929').dedupeKey).not.toBe(msg('4561255354251345930').dedupeKey);
    const tag = (id: string, tagType: string) =>
      parseCallbackEvent(
        xml({ ToUserName: CORP, FromUserName: 'sys', CreateTime: 5, MsgType: 'event', Event: 'change_external_tag', Id: id, TagType: tagType, ChangeType: 'create' }),
      ).dedupeKey;
    expect(new Set([tag('et1', 'tag'), tag('et2', 'tag'), tag('et1', 'tag_group')]).size).toBe(3);
  });

  it('tells apart unknown events with different content and matches identical ones', () => {
    const u = (key: string) => parseCallbackEvent(xml({ MsgType: 'event', Event: 'x', EventKey: key, CreateTime: 1 })).dedupeKey;
    expect(u('a')).toBe(u('a'));
    expect(u('a')).not.toBe(u('b'));
  });
});
