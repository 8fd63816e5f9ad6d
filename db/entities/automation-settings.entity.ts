import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * The clinic's automation settings: one row (id 1). Time zone, birthday lead time and hour, and
 * appointment reminder offsets; workflows receive them as inputs or read them through an activity.
 */
export const AutomationSettings = defineEntity({
  name: 'AutomationSettings',
  tableName: 'automation_settings',
  properties: {
    ...baseProperties,
    timeZone: p.string().length(64).default('Asia/Shanghai'),
    birthdayDaysBefore: p.smallint().default(7),
    birthdayHour: p.smallint().default(10),
    birthdayText: p.text().default('亲爱的{name}，生日快乐！提前祝您生日愉快，送上专属生日券 {coupon}，到店出示即可使用。'),
    appointmentOffsetsMinutes: p.json<number[]>().default('[1440,120]'),
  },
});
/** The row of automation_settings. */
export type IAutomationSettings = InferEntity<typeof AutomationSettings>;
