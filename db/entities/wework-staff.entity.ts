import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/** A WeCom member (员工) of the clinic, who follows customers and confirms mass messages. */
export const WeworkStaff = defineEntity({
  name: 'WeworkStaff',
  tableName: 'wework_staff',
  properties: {
    ...baseProperties,
    userid: p.string().length(64).unique(),
    name: p.string().length(128).nullable(),
    departmentIds: p.json<string[]>().default('[]').onCreate(() => []),
    active: p.boolean().default(true),
  },
});
/** A row of wework_staff. */
export type IWeworkStaff = InferEntity<typeof WeworkStaff>;
