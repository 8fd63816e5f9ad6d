import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * A message the product sent or received (seed §4.4). `sendKey` is minted by the workflow that
 * sends it and makes the send idempotent; inbound messages from staff use WeCom's MsgId.
 */
export const WeworkMessage = defineEntity({
  name: 'WeworkMessage',
  tableName: 'wework_messages',
  // The retention purge deletes by age, in batches.
  indexes: [{ name: 'wework_messages_created_at_index', properties: ['createdAt'] }],
  properties: {
    ...baseProperties,
    sendKey: p.string().length(200).unique(),
    kind: p.enum(['welcome', 'group', 'staff_notification', 'inbound'] as const).index(),
    externalUserid: p.string().length(64).nullable().index(),
    staffUserid: p.string().length(64).nullable(),
    msgtype: p.string().length(50),
    content: p.json<Record<string, unknown>>(),
    status: p.enum(['pending', 'sent', 'failed', 'skipped'] as const).default('pending').index(),
    errorMsg: p.text().nullable(),
    sentAt: p.datetime().nullable(),
  },
});
/** A row of wework_messages. */
export type IWeworkMessage = InferEntity<typeof WeworkMessage>;
