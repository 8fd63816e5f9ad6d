import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from './helpers.ts';
import type { SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

const STAFF = ['zhangsan', 'lisi', 'wangwu', 'zhaoliu'];

describe('sim: customers and tags', () => {
  it('batch/get_by_user pages 250 customers: every relationship exactly once, empty next_cursor at the end', async () => {
    h = await startHarness({ customers: 250 });
    const pairs: string[] = [];
    const customers = new Set<string>();
    let cursor = '';
    do {
      const r = await h.api('externalcontact/batch/get_by_user', { userid_list: STAFF, cursor, limit: 100 });
      expect(r.errcode).toBe(0);
      expect(r.external_contact_list.length).toBeLessThanOrEqual(100);
      for (const item of r.external_contact_list) {
        pairs.push(`${item.follow_info.userid}|${item.external_contact.external_userid}`);
        customers.add(item.external_contact.external_userid);
        expect(item.external_contact.name).toEqual(expect.any(String));
      }
      cursor = r.next_cursor;
    } while (cursor);
    expect(customers.size).toBe(250);
    expect(new Set(pairs).size).toBe(pairs.length);
    // One in ten customers follows a second member, so relationships outnumber customers.
    expect(pairs.length).toBe(275);
  });

  it('refuses limit > 100 and more than 100 userids', async () => {
    h = await startHarness();
    expect((await h.api('externalcontact/batch/get_by_user', { userid_list: ['zhangsan'], limit: 101 })).errcode).toBe(40058);
    const many = Array.from({ length: 101 }, (_, i) => `u${i}`);
    expect((await h.api('externalcontact/batch/get_by_user', { userid_list: many })).errcode).toBe(40058);
  });

  it('get returns the contact and its followers; bad ids get 40096, unknown ones 84061', async () => {
    h = await startHarness();
    const list = await h.api('externalcontact/list', undefined, { userid: 'zhangsan' });
    const id = list.external_userid[0] as string;
    const r = await h.api('externalcontact/get', undefined, { external_userid: id });
    expect(r).toMatchObject({ errcode: 0, external_contact: { external_userid: id, type: 1 } });
    expect(r.follow_user.some((f: { userid: string }) => f.userid === 'zhangsan')).toBe(true);
    expect(r.external_contact.birthday).toBeUndefined(); // WeCom never returns it
    expect(await h.api('externalcontact/get', undefined, { external_userid: 'not-an-id' })).toMatchObject({ errcode: 40096 });
    expect(await h.api('externalcontact/get', undefined, { external_userid: 'wmUnknownCustomer000000000000' })).toMatchObject({ errcode: 84061 });
    const birthday = (await h.control('GET', `/sim/customers/${id}`)).json.customer.birthday;
    expect(birthday).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('adds a tag to an existing group by name, marks it on a customer, and deletes it', async () => {
    h = await startHarness();
    const added = await h.api('externalcontact/add_corp_tag', { group_name: '渠道', tag: [{ name: '美团' }] });
    expect(added.errcode).toBe(0);
    const list = await h.api('externalcontact/get_corp_tag_list', {});
    const channel = list.tag_group.find((g: { group_name: string }) => g.group_name === '渠道');
    expect(channel.group_id).toBe(added.tag_group.group_id);
    expect(channel.tag.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['小红书', '抖音', '朋友圈', '美团']));
    const tagId = added.tag_group.tag[0].id as string;
    expect(tagId.startsWith('et')).toBe(true);
    expect((await h.api('externalcontact/add_corp_tag', { group_name: '渠道', tag: [{ name: '美团' }] })).errcode).toBe(40071);

    const id = (await h.api('externalcontact/list', undefined, { userid: 'lisi' })).external_userid[0];
    expect(await h.api('externalcontact/mark_tag', { userid: 'lisi', external_userid: id, add_tag: [tagId] })).toMatchObject({ errcode: 0 });
    const tagsOf = async () =>
      (await h!.api('externalcontact/get', undefined, { external_userid: id })).follow_user.find((f: { userid: string }) => f.userid === 'lisi').tags;
    expect(await tagsOf()).toContainEqual({ group_name: '渠道', tag_name: '美团', type: 1, tag_id: tagId });
    expect(await h.api('externalcontact/mark_tag', { userid: 'lisi', external_userid: id, add_tag: ['etNope'] })).toMatchObject({ errcode: 40068 });
    expect(await h.api('externalcontact/mark_tag', { userid: 'lisi', external_userid: 'wmNoSuchCustomer000', add_tag: [tagId] })).toMatchObject({ errcode: 84061 });

    expect(await h.api('externalcontact/del_corp_tag', { tag_id: [tagId] })).toMatchObject({ errcode: 0 });
    expect((await tagsOf()).some((t: { tag_id: string }) => t.tag_id === tagId)).toBe(false);
  });

  it('remark changes what get returns', async () => {
    h = await startHarness();
    const id = (await h.api('externalcontact/list', undefined, { userid: 'wangwu' })).external_userid[0];
    expect(await h.api('externalcontact/remark', { userid: 'wangwu', external_userid: id, remark: '王女士', description: '对水光针感兴趣' })).toMatchObject({ errcode: 0 });
    const f = (await h.api('externalcontact/get', undefined, { external_userid: id })).follow_user.find((x: { userid: string }) => x.userid === 'wangwu');
    expect(f).toMatchObject({ remark: '王女士', description: '对水光针感兴趣' });
  });

  it('lists staff with user/list_id and user/simplelist', async () => {
    h = await startHarness();
    const ids = await h.api('user/list_id', { limit: 2 });
    expect(ids.dept_user).toHaveLength(2);
    expect(ids.next_cursor).not.toBe('');
    const simple = await h.api('user/simplelist', undefined, { department_id: '1', fetch_child: '1' });
    expect(simple.userlist.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['张三', '李四', '王五']));
  });
});
