import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/** The closing message (结束语) of a temporary-session code, as WeCom's `conclusions` object. */
export type Conclusions = Record<string, unknown>;
/** The welcome message the onboarding workflow sends for this code; `{name}` etc. are filled in. */
export type WelcomeTemplate = { text: string; attachments?: Record<string, unknown>[] };

/** A 「联系我」 channel code (seed §4.2); `config_id` is WeCom's handle, needed to edit or delete it. */
export const WeworkContactWay = defineEntity({
  name: 'WeworkContactWay',
  tableName: 'wework_contact_ways',
  properties: {
    ...baseProperties,
    configId: p.string().length(64).unique(),
    type: p.smallint(),
    scene: p.smallint(),
    style: p.smallint().nullable(),
    isTemp: p.boolean().default(false),
    expiresIn: p.integer().nullable(),
    chatExpiresIn: p.integer().nullable(),
    state: p.string().length(30).nullable().index(),
    qrCode: p.text().nullable(),
    userIds: p.json<string[]>().default('[]').onCreate(() => []),
    partyIds: p.json<number[]>().default('[]').onCreate(() => []),
    skipVerify: p.boolean().default(true),
    /** Temp codes: restricts the session to the WeChat user with this unionid. */
    unionid: p.string().length(64).nullable(),
    /** Each customer is added by one member only (同一外部企业客户只能添加同一个员工). */
    isExclusive: p.boolean().default(false),
    conclusions: p.json<Conclusions>().nullable(),
    welcomeTemplate: p.json<WelcomeTemplate>().nullable(),
    remark: p.string().length(30).nullable(),
  },
});
/** A row of wework_contact_ways. */
export type IWeworkContactWay = InferEntity<typeof WeworkContactWay>;
