import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, startHarness } from './helpers.ts';
import type { SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

const call = () => h!.api('externalcontact/get_follow_user_list');

describe('sim: fault knobs', () => {
  it('forces 45009 on the next N calls, then clears', async () => {
    h = await startHarness();
    await h.token();
    expect((await h.control('POST', '/sim/faults', { errcode: 45009, count: 2, api: 'externalcontact/get_follow_user_list' })).status).toBe(200);
    expect(await call()).toMatchObject({ errcode: 45009 });
    expect(await call()).toMatchObject({ errcode: 45009 });
    expect(await call()).toMatchObject({ errcode: 0 });
    const stats = (await h.control('GET', '/sim/stats/calls')).json;
    expect(stats.errors['externalcontact/get_follow_user_list']).toEqual({ '45009': 2 });
  });

  it('answers HTTP 5xx on the next N calls', async () => {
    h = await startHarness();
    const token = await h.token();
    await h.control('POST', '/sim/faults', { http: 503, count: 1 });
    const res = await fetch(`${h.sim.url}/cgi-bin/externalcontact/get_follow_user_list?access_token=${token}`);
    expect(res.status).toBe(503);
    expect(await call()).toMatchObject({ errcode: 0 });
  });

  it('drops the connection of the next N calls to one API without answering', async () => {
    h = await startHarness();
    const token = await h.token();
    await h.control('POST', '/sim/faults', { drop: true, count: 1, api: 'externalcontact/get_follow_user_list' });
    await expect(fetch(`${h.sim.url}/cgi-bin/externalcontact/get_follow_user_list?access_token=${token}`)).rejects.toThrow(TypeError);
    expect(await call()).toMatchObject({ errcode: 0 });
  });

  it('enforces a per-minute quota with a 60 s block', async () => {
    const clock = manualClock();
    h = await startHarness({ now: clock.now });
    await h.token();
    await h.control('POST', '/sim/faults', { quotas: { 'externalcontact/get_follow_user_list': 2 } });
    expect((await call()).errcode).toBe(0);
    expect((await call()).errcode).toBe(0);
    expect((await call()).errcode).toBe(45009);
    clock.advance(30_000);
    expect((await call()).errcode).toBe(45009);
    clock.advance(31_000);
    expect((await call()).errcode).toBe(0);
  });

  it('adds latency', async () => {
    h = await startHarness();
    await h.token();
    await h.control('POST', '/sim/faults', { latencyMs: 150 });
    const started = Date.now();
    await call();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('reset restores seeded state and clears faults and counters', async () => {
    h = await startHarness({ customers: 5 });
    await h.api('externalcontact/add_corp_tag', { group_name: '临时', tag: [{ name: 'x' }] });
    await h.control('POST', '/sim/faults', { errcode: 45033, count: 5 });
    expect((await h.control('POST', '/sim/reset', { customers: 12 })).json).toMatchObject({ ok: true, customers: 12 });
    expect((await h.control('GET', '/sim/stats/calls')).json.total).toBe(0);
    await h.token(); // reset forgets issued tokens too
    const groups = (await h.api('externalcontact/get_corp_tag_list', {})).tag_group.map((g: { group_name: string }) => g.group_name);
    expect(groups).not.toContain('临时');
  });
});
