import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * How many callback requests were refused, per reason and day. Refused requests are never stored
 * one by one (anyone can send them): only these counters, flushed from memory every few seconds.
 */
export const WeworkCallbackRejection = defineEntity({
  name: 'WeworkCallbackRejection',
  tableName: 'wework_callback_rejections',
  properties: {
    day: p.string().columnType('date').primary(),
    reason: p.string().length(64).primary(),
    count: p.bigint('number'),
    lastAt: p.datetime().defaultRaw('now()'),
  },
});
/** A row of wework_callback_rejections. */
export type IWeworkCallbackRejection = InferEntity<typeof WeworkCallbackRejection>;
