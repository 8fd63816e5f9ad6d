import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * One clinic-local day the birthday engine has run (by the daily Schedule, a catch-up or an
 * operator). The daily run looks back for days missing here, so a day of downtime is caught up
 * by the next run whatever the Schedule's own catch-up did.
 */
export const BirthdayDay = defineEntity({
  name: 'BirthdayDay',
  tableName: 'birthday_days',
  properties: {
    day: p.date().primary(),
    /** True when the day ran after its hour (downtime caught up, or an operator's re-run). */
    late: p.boolean().default(false),
    /** The day whose run caught this one up; null when it ran itself. */
    caughtUpOn: p.date().nullable(),
    claimed: p.integer().default(0),
    queued: p.integer().default(0),
    sendRunId: p.integer().nullable(),
    ranAt: p.datetime(),
  },
});
/** A row of birthday_days. */
export type IBirthdayDay = InferEntity<typeof BirthdayDay>;
