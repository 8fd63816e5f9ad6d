import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from './helpers.ts';
import type { SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

const way = (extra: Record<string, unknown> = {}) => ({ type: 1, scene: 2, user: ['zhangsan'], state: 'xhs', remark: '小红书', ...extra });

describe('sim: 「联系我」 contact ways', () => {
  it('creates, reads, updates and deletes a code', async () => {
    h = await startHarness();
    const created = await h.api('externalcontact/add_contact_way', way());
    expect(created).toMatchObject({ errcode: 0, config_id: expect.any(String), qr_code: expect.stringContaining('/sim/qr/') });
    const got = await h.api('externalcontact/get_contact_way', { config_id: created.config_id });
    expect(got.contact_way).toMatchObject({ config_id: created.config_id, type: 1, scene: 2, state: 'xhs', user: ['zhangsan'], qr_code: created.qr_code });
    expect(await h.api('externalcontact/update_contact_way', { config_id: created.config_id, state: 'douyin' })).toMatchObject({ errcode: 0 });
    expect((await h.api('externalcontact/get_contact_way', { config_id: created.config_id })).contact_way.state).toBe('douyin');
    expect(await h.api('externalcontact/del_contact_way', { config_id: created.config_id })).toMatchObject({ errcode: 0 });
    expect((await h.api('externalcontact/get_contact_way', { config_id: created.config_id })).errcode).not.toBe(0);
  });

  it('validates like WeCom: type, state length, single-user rule, member count, temp rules', async () => {
    h = await startHarness();
    expect(await h.api('externalcontact/add_contact_way', { scene: 2, user: ['zhangsan'] })).toMatchObject({ errcode: 41037 });
    expect((await h.api('externalcontact/add_contact_way', way({ state: 'x'.repeat(31) }))).errcode).toBe(40058);
    expect((await h.api('externalcontact/add_contact_way', way({ state: '渠'.repeat(30) }))).errcode).toBe(0);
    expect((await h.api('externalcontact/add_contact_way', way({ user: ['zhangsan', 'lisi'] }))).errcode).toBe(40058);
    const many = Array.from({ length: 101 }, () => 'zhangsan');
    expect(await h.api('externalcontact/add_contact_way', way({ type: 2, user: many }))).toMatchObject({ errcode: 41041 });
    expect(await h.api('externalcontact/add_contact_way', way({ user: ['nobody'] }))).toMatchObject({ errcode: 60111 });
    expect((await h.api('externalcontact/add_contact_way', way({ is_temp: true, expires_in: 14 * 86400 + 1 }))).errcode).toBe(40058);
    expect((await h.api('externalcontact/add_contact_way', way({ type: 2, user: ['zhangsan', 'lisi'], is_temp: true }))).errcode).toBe(40058);
    const temp = await h.api('externalcontact/add_contact_way', way({ is_temp: true }));
    const tempWay = (await h.api('externalcontact/get_contact_way', { config_id: temp.config_id })).contact_way;
    expect(tempWay).toMatchObject({ is_temp: true, expires_in: 7 * 86400, chat_expires_in: 86400 });
  });

  it('pages list_contact_way with cursors, each code once, temp codes excluded', async () => {
    h = await startHarness({ customers: 0 });
    // The seeded demo codes are listed too.
    const ids = new Set<string>((await h.control('GET', '/sim/contact-ways')).json.contact_ways.map((w: { config_id: string }) => w.config_id));
    for (let i = 0; i < 7; i++) ids.add((await h.api('externalcontact/add_contact_way', way({ state: `s${i}` }))).config_id);
    await h.api('externalcontact/add_contact_way', way({ is_temp: true }));
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const r = await h.api('externalcontact/list_contact_way', { limit: 3, cursor });
      expect(r.errcode).toBe(0);
      expect(r.contact_way.length).toBeLessThanOrEqual(3);
      seen.push(...r.contact_way.map((w: { config_id: string }) => w.config_id));
      cursor = r.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(ids.size / 3));
    expect(seen.sort()).toEqual([...ids].sort());
    expect((await h.api('externalcontact/list_contact_way', { limit: 1001 })).errcode).toBe(40058);
  });

  it('serves the QR code as a real PNG image', async () => {
    h = await startHarness();
    const { qr_code } = await h.api('externalcontact/add_contact_way', way());
    const res = await fetch(qr_code);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(height);
    // IDAT inflates to one filter byte + one byte a pixel per row: the image is well-formed.
    const idatLen = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    expect(inflateSync(png.subarray(41, 41 + idatLen)).length).toBe((width + 1) * height);
    expect(png.subarray(png.length - 8, png.length - 4).toString('ascii')).toBe('IEND');
  });
});
