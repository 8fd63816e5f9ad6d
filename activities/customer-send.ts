import type { EntityManager } from '@mikro-orm/postgresql';
import { WeworkMessage } from '../db/entities/index.ts';
import type { ActivityDeps } from './deps.ts';
import { callWeCom } from './wecom-calls.ts';

/** Marketing needs recorded consent; care (appointment reminders) is its own class (SPEC §5). */
export type MessageClass = 'marketing' | 'care';

/** What became of one customer-facing message. */
export type CustomerSendOutcome = 'submitted' | 'previously_submitted' | 'no_consent' | 'no_relationship';

/**
 * The automations' door to a customer: one 群发 task (add_msg_template) from the follow-up staff
 * member to one customer, which the staff member confirms in their WeCom client (message/send
 * reaches staff only). Idempotent by `sendKey` (minted by the workflow, stored in wework_messages
 * before the call): a retry after the call finds the row and does not create a second task.
 * Marketing is checked against the consent table first; a lost relationship gets nothing.
 */
export async function submitToCustomer(
  deps: ActivityDeps,
  em: EntityManager,
  input: { sendKey: string; messageClass: MessageClass; staffUserId: string; externalUserId: string; text: string },
): Promise<CustomerSendOutcome> {
  const previous = await em.findOne(WeworkMessage, { sendKey: input.sendKey });
  // A row left 'pending' means an earlier attempt died inside the call: WeCom may hold the task, so
  // it is not created again (at most once; the staff member still sees the first one).
  if (previous && previous.status !== 'failed') return previous.status === 'skipped' ? 'no_consent' : 'previously_submitted';

  const [relationship] = await em.getConnection().execute<Array<{ active: boolean }>>(
    `select exists (select 1 from wework_customer_follows f join wework_customers c on c.id = f.customer_id
      where c.external_userid = ? and f.staff_userid = ? and f.status = 'active') as active`, [input.externalUserId, input.staffUserId]);
  if (!relationship?.active) return 'no_relationship';
  if (input.messageClass === 'marketing') {
    const [consent] = await em.getConnection().execute<Array<{ marketing: string }>>(
      'select marketing from customer_consents where external_userid = ?', [input.externalUserId]);
    if (consent?.marketing !== 'granted') {
      em.create(WeworkMessage, {
        sendKey: input.sendKey, kind: 'group', externalUserid: input.externalUserId, staffUserid: input.staffUserId, msgtype: 'text',
        content: { text: input.text, class: input.messageClass }, status: 'skipped', errorMsg: consent ? 'consent withdrawn' : 'no marketing consent recorded',
      });
      await em.flush();
      return 'no_consent';
    }
  }
  const message = previous ?? em.create(WeworkMessage, {
    sendKey: input.sendKey, kind: 'group', externalUserid: input.externalUserId, staffUserid: input.staffUserId, msgtype: 'text',
    content: { text: input.text, class: input.messageClass },
  });
  message.status = 'pending';
  await em.flush();
  const result = await callWeCom(deps, (api) => api.groupMsg.addMsgTemplate({
    chat_type: 'single', external_userid: [input.externalUserId], sender: input.staffUserId, text: { content: input.text },
  }));
  if (result.fail_list.includes(input.externalUserId)) {
    Object.assign(message, { status: 'failed', errorMsg: 'WeCom refused the recipient (fail_list)' });
    await em.flush();
    return 'no_relationship';
  }
  Object.assign(message, { status: 'sent', sentAt: new Date(), content: { ...message.content, msgid: result.msgid } });
  await em.flush();
  return 'submitted';
}
