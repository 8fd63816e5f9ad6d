import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/** A tag within a group (e.g. 渠道 / 小红书), mirrored to a WeCom corp tag once it has one. */
export const Tag = defineEntity({
  name: 'Tag',
  tableName: 'tags',
  uniques: [{ properties: ['groupName', 'name'] }],
  properties: {
    ...baseProperties,
    groupName: p.string().length(30),
    name: p.string().length(30),
    wecomGroupId: p.string().length(64).nullable(),
    wecomTagId: p.string().length(64).nullable().unique(),
  },
});
/** A row of tags. */
export type ITag = InferEntity<typeof Tag>;
