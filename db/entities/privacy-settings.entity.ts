import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** The clinic's retention settings: one row (id 1); null days keep the rows forever. */
export const PrivacySettings = defineEntity({
  name: 'PrivacySettings',
  tableName: 'privacy_settings',
  properties: {
    id: p.integer().primary().autoincrement(false).default(1),
    callbackLogDays: p.integer().nullable(),
    messageDays: p.integer().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
/** The row of privacy_settings. */
export type IPrivacySettings = InferEntity<typeof PrivacySettings>;
