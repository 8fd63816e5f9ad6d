import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, startHarness } from './helpers.ts';
import type { SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

describe('sim: access tokens', () => {
  it('answers a wrong secret with errcode 40001 on HTTP 200, and a wrong corpid with 40013', async () => {
    h = await startHarness();
    const res = await fetch(`${h.sim.url}/cgi-bin/gettoken?corpid=ww_sim_corp&corpsecret=wrong`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ errcode: 40001 });
    expect(await h.get('gettoken', { corpid: 'nope', corpsecret: 'x' })).toMatchObject({ errcode: 40013 });
  });

  it('hands out the same token while valid, and 42001 once the TTL has passed', async () => {
    const clock = manualClock();
    h = await startHarness({ now: clock.now, tokenTtlSeconds: 60 });
    const first = await h.token();
    expect(await h.token()).toBe(first);
    expect(await h.api('externalcontact/get_follow_user_list')).toMatchObject({ errcode: 0 });
    clock.advance(61_000);
    expect(await h.get('externalcontact/get_follow_user_list', { access_token: first })).toMatchObject({ errcode: 42001 });
    const second = await h.token();
    expect(second).not.toBe(first);
    expect(await h.get('externalcontact/get_follow_user_list', { access_token: second })).toMatchObject({ errcode: 0 });
  });

  it('answers 40014 for a revoked or unknown token and 41001 for a missing one', async () => {
    h = await startHarness();
    const token = await h.token();
    const revoke = await h.control('POST', '/sim/faults', { revokeTokens: true });
    expect(revoke.json).toMatchObject({ ok: true, revoked: 1 });
    expect(await h.get('externalcontact/get_follow_user_list', { access_token: token })).toMatchObject({ errcode: 40014 });
    expect(await h.get('externalcontact/get_follow_user_list', { access_token: 'made-up' })).toMatchObject({ errcode: 40014 });
    expect(await h.get('externalcontact/get_follow_user_list')).toMatchObject({ errcode: 41001 });
    expect(await h.token()).not.toBe(token);
  });

  it('counts calls per endpoint so a test can assert exactly one gettoken', async () => {
    h = await startHarness();
    await h.token();
    for (let i = 0; i < 3; i++) await h.api('externalcontact/get_follow_user_list');
    const stats = (await h.control('GET', '/sim/stats/calls')).json;
    expect(stats.calls).toEqual({ gettoken: 1, 'externalcontact/get_follow_user_list': 3 });
    expect(h.sim.controls.callCount('gettoken')).toBe(1);
  });
});
