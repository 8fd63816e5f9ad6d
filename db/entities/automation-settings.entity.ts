import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * The clinic's automation settings: one row (id 1). Birthday lead time, hour and text, and
 * appointment reminder offsets. The clinic's time zone is clinic_settings.time_zone (one zone for
 * compliance and automations alike).
 */
export const AutomationSettings = defineEntity({
  name: 'AutomationSettings',
  tableName: 'automation_settings',
  properties: {
    ...baseProperties,
    birthdayDaysBefore: p.smallint().default(7),
    birthdayHour: p.smallint().default(10),
    birthdayText: p.text().default('亲爱的{name}，生日快乐！提前祝您生日愉快，为您准备了专属生日券，到店报手机号即可使用（限本人、一次）。'),
    appointmentOffsetsMinutes: p.json<number[]>().default('[1440,120]'),
  },
});
/** The row of automation_settings. */
export type IAutomationSettings = InferEntity<typeof AutomationSettings>;
