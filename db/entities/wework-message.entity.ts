import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * A message the product sent or received (seed §4.4). `sendKey` is minted by the workflow that
 * sends it and makes the send idempotent; inbound messages from staff use WeCom's MsgId.
 */
export const WeworkMessage = defineEntity({
  name: 'WeworkMessage',
  tableName: 'wework_messages',
  indexes: [
    // The retention purge deletes by age, in batches.
    { name: 'wework_messages_created_at_index', properties: ['createdAt'] },
    // Staff notices' pacing: a member's slots in the last hour, and their notices waiting for a digest.
    { name: 'wework_messages_staff_slot_index', expression: 'create index "wework_messages_staff_slot_index" on "wework_messages" ("staff_userid", "slot_at") where "slot_at" is not null' },
    { name: 'wework_messages_staff_queued_index', expression: `create index "wework_messages_staff_queued_index" on "wework_messages" ("staff_userid", "id") where "status" = 'queued'` },
  ],
  properties: {
    ...baseProperties,
    sendKey: p.string().length(200).unique(),
    kind: p.enum(['welcome', 'group', 'staff_notification', 'inbound'] as const).index(),
    externalUserid: p.string().length(64).nullable().index(),
    staffUserid: p.string().length(64).nullable(),
    msgtype: p.string().length(50),
    content: p.json<Record<string, unknown>>(),
    /** `queued`: a staff notice past the member's pace, waiting for their next digest. */
    status: p.enum(['pending', 'queued', 'sent', 'failed', 'skipped'] as const).default('pending').index(),
    errorMsg: p.text().nullable(),
    sentAt: p.datetime().nullable(),
    /** When this app message took one of the staff member's send slots (WeCom: 30 a minute, 1,000 an hour). */
    slotAt: p.datetime().nullable(),
    /** The digest message (a row of this table) that carried this queued notice. */
    digestId: p.integer().nullable(),
  },
});
/** A row of wework_messages. */
export type IWeworkMessage = InferEntity<typeof WeworkMessage>;
