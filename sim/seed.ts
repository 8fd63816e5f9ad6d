import { alnum, createRng, externalUserId } from './ids.ts';
import { addFollow, createEmptyState } from './state.ts';
import type { ContactWay, CorpTag, CorpTagGroup, Customer, SimState, Staff } from './state.ts';

/** Channels of the demo: the contact-way `state` and the corp tag it maps to. */
export const DEMO_CHANNELS = [
  { state: 'xhs', tag: '小红书' },
  { state: 'douyin', tag: '抖音' },
  { state: 'moments', tag: '朋友圈' },
  { state: 'dianping', tag: '大众点评' },
] as const;

const DEPARTMENTS = [
  { id: 1, name: '星颜医美', parentid: 0, order: 100 },
  { id: 2, name: '咨询部', parentid: 1, order: 90 },
  { id: 3, name: '客服部', parentid: 1, order: 80 },
  { id: 4, name: '医生组', parentid: 1, order: 70 },
];

const STAFF: Staff[] = [
  { userid: 'zhangsan', name: '张三', department: [2], position: '美学咨询师', mobile: '13800000001', customerContact: true },
  { userid: 'lisi', name: '李四', department: [2], position: '美学咨询师', mobile: '13800000002', customerContact: true },
  { userid: 'wangwu', name: '王五', department: [3], position: '客服主管', mobile: '13800000003', customerContact: true },
  { userid: 'zhaoliu', name: '赵六', department: [4], position: '皮肤科医生', mobile: '13800000004', customerContact: true },
];

const TAG_GROUPS: { name: string; tags: string[] }[] = [
  { name: '渠道', tags: DEMO_CHANNELS.map((c) => c.tag) },
  { name: '客户等级', tags: ['新客', '老客', 'VIP'] },
  { name: '意向项目', tags: ['玻尿酸', '水光针', '光子嫩肤', '热玛吉', '祛斑'] },
];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '静丽敏燕艳娟霞芳娜婷雪琳晶慧颖欣怡佳悦萱梦雨思涵月琪瑶蕾薇露晓倩莉美玲蓉楠洁璐妍菲宁茜可馨雯婧晨曦安然子轩浩宇博文俊杰伟强磊洋勇军鹏飞';

/** Seeds staff, departments, tag library, three channel codes and `customers` deterministic customers. */
export function seedState(opts: { customers: number; seed: number; nowMs: number }): SimState {
  const state = createEmptyState();
  const rng = createRng(opts.seed);
  const nowSec = Math.floor(opts.nowMs / 1000);
  state.departments = DEPARTMENTS.map((d) => ({ ...d }));
  for (const s of STAFF) state.staff.set(s.userid, { ...s, department: [...s.department] });

  const tagIdByName = new Map<string, string>();
  TAG_GROUPS.forEach((g, gi) => {
    const group: CorpTagGroup = { group_id: `et${alnum(30, rng)}`, group_name: g.name, create_time: nowSec - 86400 * 400, order: 100 - gi };
    state.tagGroups.set(group.group_id, group);
    g.tags.forEach((name, ti) => {
      const tag: CorpTag = { id: `et${alnum(30, rng)}`, name, create_time: group.create_time, order: 100 - ti, group_id: group.group_id };
      state.tags.set(tag.id, tag);
      tagIdByName.set(name, tag.id);
    });
  });

  const staffIds = STAFF.map((s) => s.userid);
  DEMO_CHANNELS.slice(0, 3).forEach((ch, i) => {
    const way: ContactWay = {
      config_id: alnum(32, rng).toLowerCase(),
      type: 1, scene: 2, style: 1, remark: `${ch.tag}渠道码`, skip_verify: true, state: ch.state,
      user: [staffIds[i % staffIds.length]!], party: [], is_temp: false, expires_in: 0, chat_expires_in: 0,
      unionid: '', is_exclusive: false, conclusions: {}, create_time: nowSec - 86400 * (30 - i), used: false, next_user: 0,
    };
    state.contactWays.set(way.config_id, way);
  });

  const levelTags = ['新客', '老客', 'VIP'].map((n) => tagIdByName.get(n)!);
  for (let i = 0; i < opts.customers; i++) {
    const customer: Customer = {
      external_userid: externalUserId(rng),
      name: SURNAMES[Math.floor(rng() * SURNAMES.length)]! + GIVEN[Math.floor(rng() * GIVEN.length)]! + (rng() < 0.6 ? GIVEN[Math.floor(rng() * GIVEN.length)]! : ''),
      avatar: `https://wx.qlogo.cn/mmhead/sim${i}/0`,
      type: 1,
      gender: rng() < 0.8 ? 2 : rng() < 0.9 ? 1 : 0,
      unionid: `o${alnum(27, rng)}`,
      birthday: randomBirthday(rng),
      mobile: `1${3 + Math.floor(rng() * 7)}${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`,
    };
    state.customers.set(customer.external_userid, customer);
    const channel = rng() < 0.75 ? DEMO_CHANNELS[Math.floor(rng() * DEMO_CHANNELS.length)] : undefined;
    const owners = [staffIds[i % staffIds.length]!];
    // Every tenth customer also follows a second member: the model must allow several followers.
    if (i % 10 === 9) owners.push(staffIds[(i + 1) % staffIds.length]!);
    for (const userid of owners) {
      const tagIds = [levelTags[Math.floor(rng() * levelTags.length)]!];
      if (channel) tagIds.unshift(tagIdByName.get(channel.tag)!);
      addFollow(state, {
        userid,
        external_userid: customer.external_userid,
        // Staff note the name and phone as the remark (the clinic's records match birthdays by that phone).
        remark: `${customer.name} ${customer.mobile}`,
        description: '',
        createtime: nowSec - Math.floor(rng() * 86400 * 365),
        tag_ids: tagIds,
        remark_corp_name: '',
        remark_mobiles: [customer.mobile],
        add_way: channel ? 1 : [2, 3, 6][Math.floor(rng() * 3)]!,
        state: channel?.state ?? '',
        oper_userid: customer.external_userid,
      });
    }
  }
  state.nextTagNumber = state.tags.size + 1;
  return state;
}

function randomBirthday(rng: () => number): string {
  const year = 1970 + Math.floor(rng() * 35);
  const month = 1 + Math.floor(rng() * 12);
  const day = 1 + Math.floor(rng() * 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
