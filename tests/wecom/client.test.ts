import { afterEach, describe, expect, it } from 'vitest';
import { fetchAccessToken } from '../../wecom/api/token.ts';
import { WeComClient } from '../../wecom/client.ts';
import type { TokenProvider } from '../../wecom/client.ts';
import { WeComApiError, WeComRequestValidationError, WeComTransportError } from '../../wecom/errors.ts';
import { createWeComApi } from '../../wecom/wecom-api.ts';
import { startFakeWeCom } from './fake-wecom-server.ts';
import type { FakeWeComServer } from './fake-wecom-server.ts';

let server: FakeWeComServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A token provider that hands out tok-1, tok-2… and records what it was asked. */
function countingTokens(): TokenProvider & { asks: Array<{ forceRefresh?: boolean; rejectedToken?: string } | undefined> } {
  let n = 1;
  const asks: Array<{ forceRefresh?: boolean; rejectedToken?: string } | undefined> = [];
  return {
    asks,
    async getToken(opts) {
      asks.push(opts);
      if (opts?.forceRefresh) n += 1;
      return `tok-${n}`;
    },
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('WeComClient', () => {
  it('sends the exact add_contact_way payload with the token, and returns config_id', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/externalcontact/add_contact_way': () => ({
        json: { errcode: 0, errmsg: 'ok', config_id: '42b34949e138eb6e027c123cba77fad7', qr_code: 'http://p.qpic.cn/x' },
      }),
    });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const result = await api.contactWay.add({ type: 1, scene: 2, state: 'xhs_spring', user: ['zhangsan'], skip_verify: true });
    expect(result).toEqual({ config_id: '42b34949e138eb6e027c123cba77fad7', qr_code: 'http://p.qpic.cn/x' });
    const [call] = server.seen;
    expect(call?.method).toBe('POST');
    expect(call?.query).toEqual({ access_token: 'tok-1' });
    expect(call?.body).toEqual({ type: 1, scene: 2, state: 'xhs_spring', user: ['zhangsan'], skip_verify: true });
  });

  it('keeps a path prefix of apiBase (a simulator mounted under /wecom)', async () => {
    server = await startFakeWeCom({
      '/wecom/cgi-bin/externalcontact/get_follow_user_list': () => ({ json: { errcode: 0, errmsg: 'ok', follow_user: ['zs', 'ls'] } }),
    });
    const api = createWeComApi({ apiBase: `${server.url}/wecom`, tokenProvider: countingTokens() });
    expect(await api.customer.followUserList()).toEqual(['zs', 'ls']);
  });

  it('throws a typed WeComApiError for errcode != 0 on HTTP 200, without retrying', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/externalcontact/send_welcome_msg': () => ({ json: { errcode: 41051, errmsg: 'customer already begin chatting' } }),
    });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const error = await caught(api.welcome.send({ welcome_code: 'WC', text: { content: '欢迎!' } }));
    expect(error).toBeInstanceOf(WeComApiError);
    expect(error).toMatchObject({
      errcode: 41051,
      category: 'invalid_request',
      retryable: false,
      path: '/cgi-bin/externalcontact/send_welcome_msg',
    });
    expect(server.seen).toHaveLength(1);
  });

  it('leaves a rate-limit error to the caller as retryable, calling WeCom once', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/externalcontact/add_msg_template': () => ({ json: { errcode: 45009, errmsg: 'api freq out of limit' } }),
    });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const error = await caught(api.groupMsg.addMsgTemplate({ external_userid: ['wm1'], sender: 'zs', text: { content: 'hi' } }));
    expect(error).toMatchObject({ category: 'rate_limited', retryable: true });
    expect(server.seen).toHaveLength(1);
  });

  it('refreshes the token once after 42001 and succeeds with the new one', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/externalcontact/mark_tag': (req) =>
        req.query['access_token'] === 'tok-1'
          ? { json: { errcode: 42001, errmsg: 'access_token expired' } }
          : { json: { errcode: 0, errmsg: 'ok' } },
    });
    const tokens = countingTokens();
    const api = createWeComApi({ apiBase: server.url, tokenProvider: tokens });
    await api.tags.mark({ userid: 'zs', external_userid: 'wm1', add_tag: ['et1'] });
    expect(server.seen.map((r) => r.query['access_token'])).toEqual(['tok-1', 'tok-2']);
    expect(tokens.asks).toEqual([undefined, { forceRefresh: true, rejectedToken: 'tok-1' }]);
  });

  it('gives up after the second token error instead of looping', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/externalcontact/get': () => ({ json: { errcode: 40014, errmsg: 'invalid access_token' } }),
    });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const error = await caught(api.customer.get('wm1'));
    expect(error).toMatchObject({ errcode: 40014, category: 'token' });
    expect(server.seen).toHaveLength(2);
  });

  it('turns HTTP 500 into a retryable transport error', async () => {
    server = await startFakeWeCom({ '/cgi-bin/message/send': () => ({ status: 500, text: 'upstream down' }) });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const error = await caught(api.messages.sendToStaff({ touser: ['zs'], agentid: 1000002, msgtype: 'text', content: 'hi' }));
    expect(error).toBeInstanceOf(WeComTransportError);
    expect(error).toMatchObject({ kind: 'http_status', status: 500, retryable: true });
    expect(server.seen).toHaveLength(1);
  });

  it('turns a refused connection into a retryable network error', async () => {
    server = await startFakeWeCom({});
    const url = server.url;
    await server.close();
    server = undefined;
    const client = new WeComClient({ apiBase: url, tokenProvider: countingTokens() });
    const error = await caught(createWeComApi(client).customer.followUserList());
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  it('drops the URL (corpsecret, access_token) from a failed connection: no message, stack or cause carries it', async () => {
    server = await startFakeWeCom({});
    const url = server.url;
    await server.close();
    server = undefined;
    const secret = 'corp-secret-never-shown';
    const tokenError = await caught(fetchAccessToken({ apiBase: url }, { corpId: 'ww1', corpSecret: secret }));
    const client = new WeComClient({ apiBase: url, tokenProvider: { getToken: async () => 'access-token-never-shown' } });
    const callError = await caught(createWeComApi(client).customer.get('wm1'));
    for (const error of [tokenError, callError] as Error[]) {
      expect(error).toBeInstanceOf(WeComTransportError);
      expect(error.cause).toBeUndefined();
      const everything = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain('access-token-never-shown');
      expect(everything).not.toContain('?');
    }
    expect((tokenError as Error).message).toMatch(/gettoken transport failure \(network\)/);
  });

  it('turns a slow answer into a retryable timeout error', async () => {
    server = await startFakeWeCom({ '/cgi-bin/externalcontact/list': () => ({ delayMs: 500, json: { errcode: 0 } }) });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens(), timeoutMs: 100 });
    const error = await caught(api.customer.listIds('zs'));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('turns a non-JSON 200 body into a retryable bad_response error', async () => {
    server = await startFakeWeCom({ '/cgi-bin/externalcontact/list': () => ({ text: '<html>gateway</html>' }) });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    expect(await caught(api.customer.listIds('zs'))).toMatchObject({ kind: 'bad_response', retryable: true });
  });

  it('refuses a request that breaks WeCom limits before sending it', async () => {
    server = await startFakeWeCom({});
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const tooLong = await caught(api.contactWay.add({ type: 2, scene: 2, state: 'x'.repeat(31), user: ['a'] }));
    expect(tooLong).toBeInstanceOf(WeComRequestValidationError);
    expect((tooLong as WeComRequestValidationError).issues[0]?.path).toBe('state');
    const twoUsers = await caught(api.contactWay.add({ type: 1, scene: 2, user: ['a', 'b'] }));
    expect(twoUsers).toBeInstanceOf(WeComRequestValidationError);
    const tenAttachments = Array.from({ length: 10 }, () => ({ msgtype: 'image' as const, image: { media_id: 'm' } }));
    expect(await caught(api.welcome.send({ welcome_code: 'w', attachments: tenAttachments }))).toBeInstanceOf(
      WeComRequestValidationError,
    );
    expect(server.seen).toHaveLength(0);
  });

  it('sends staff messages with "|"-joined recipients and splits invalid users back out', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/message/send': () => ({ json: { errcode: 0, errmsg: 'ok', invaliduser: 'gone1|gone2', msgid: 'm1' } }),
    });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const result = await api.messages.sendToStaff({ touser: ['zs', 'gone1', 'gone2'], agentid: 1000002, msgtype: 'text', content: '新客户到店' });
    expect(server.seen[0]?.body).toEqual({ touser: 'zs|gone1|gone2', agentid: 1000002, msgtype: 'text', text: { content: '新客户到店' } });
    expect(result.invaliduser).toEqual(['gone1', 'gone2']);
  });

  it('parses a customer with follow users, and batch pages with their cursor', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/externalcontact/get': () => ({
        json: {
          errcode: 0,
          errmsg: 'ok',
          external_contact: { external_userid: 'wm1', name: '李女士', type: 1, gender: 2 },
          follow_user: [{ userid: 'zs', createtime: 1700000000, tags: [{ tag_id: 'et1', type: 1 }], add_way: 1, state: 'xhs' }],
        },
      }),
      '/cgi-bin/externalcontact/batch/get_by_user': (req) => ({
        json: {
          errcode: 0,
          errmsg: 'ok',
          external_contact_list: [
            { external_contact: { external_userid: 'wm1', name: 'a' }, follow_info: { userid: 'zs', createtime: 1, tag_id: ['et1'] } },
          ],
          next_cursor: (req.body as { cursor?: string }).cursor ? '' : 'page2',
        },
      }),
    });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: countingTokens() });
    const customer = await api.customer.get('wm1');
    expect(customer.external_contact.name).toBe('李女士');
    expect(customer.follow_user[0]).toMatchObject({ userid: 'zs', add_way: 1, state: 'xhs' });
    expect(customer.next_cursor).toBe('');
    expect(server.callsTo('/cgi-bin/externalcontact/get')[0]?.query).toEqual({ access_token: 'tok-1', external_userid: 'wm1' });

    const page1 = await api.customer.batchGetByUser({ userid_list: ['zs'], limit: 100 });
    const page2 = await api.customer.batchGetByUser({ userid_list: ['zs'], cursor: page1.next_cursor, limit: 100 });
    expect([page1.next_cursor, page2.next_cursor]).toEqual(['page2', '']);
  });

  it('calls gettoken with corpid and corpsecret', async () => {
    server = await startFakeWeCom({
      '/cgi-bin/gettoken': () => ({ json: { errcode: 0, errmsg: 'ok', access_token: 'AT', expires_in: 7200 } }),
    });
    expect(await fetchAccessToken({ apiBase: server.url }, { corpId: 'ww1', corpSecret: 's3cret' })).toEqual({
      accessToken: 'AT',
      expiresInSeconds: 7200,
    });
    expect(server.seen[0]?.query).toEqual({ corpid: 'ww1', corpsecret: 's3cret' });
  });
});
