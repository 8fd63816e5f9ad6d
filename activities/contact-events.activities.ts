import { Tag, WeworkCallbackLog, WeworkCustomer, WeworkCustomerFollow, WeworkMessage } from '../db/entities/index.ts';
import type { ActivityDeps } from './deps.ts';
import { callWeCom } from './wecom-calls.ts';

/** Activities for the customer-contact events other than onboarding; each is idempotent. */
export function createContactEventActivities(deps: ActivityDeps) {
  return {
    /**
     * Marks one staff member's relationship with a customer lost, unless a later event (by
     * CreateTime, the relationship's watermark) was applied already: a replayed or reordered delete
     * never marks a re-added customer lost. Returns the customer's name for the alert, and whether
     * anything changed (a redelivered or stale event changes nothing).
     */
    async markRelationshipLost(input: { userId: string; externalUserId: string; reason: string; at: number }): Promise<{ customerName: string | null; changed: boolean }> {
      const em = deps.orm.em.fork();
      const lostAt = new Date(input.at * 1000);
      let customer = await em.findOne(WeworkCustomer, { externalUserid: input.externalUserId });
      if (!customer) {
        // A customer who arrived before the product did (or whose add is still on its way): record
        // them so the loss is not forgotten; the add, if older, will find the watermark.
        await em.upsert(WeworkCustomer, { externalUserid: input.externalUserId }, { onConflictFields: ['externalUserid'], onConflictAction: 'ignore' });
        customer = await em.findOneOrFail(WeworkCustomer, { externalUserid: input.externalUserId });
      }
      // One statement decides, so a concurrent add or edit of the same relationship cannot interleave.
      const rows: Array<{ changed: boolean }> = await em.getConnection().execute(
        `insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, status, lost_at, lost_reason, event_watermark, wecom_tag_ids)
         values (now(), now(), ?, ?, 'lost', ?, ?, ?, '[]')
         on conflict (customer_id, staff_userid) do update set
           status = 'lost',
           lost_at = case when wework_customer_follows.status = 'lost' then wework_customer_follows.lost_at else excluded.lost_at end,
           lost_reason = case when wework_customer_follows.status = 'lost' then wework_customer_follows.lost_reason else excluded.lost_reason end,
           event_watermark = excluded.event_watermark, updated_at = now()
         where wework_customer_follows.event_watermark is null or wework_customer_follows.event_watermark <= excluded.event_watermark
         returning (xmax = 0 or (select status from wework_customer_follows f where f.id = wework_customer_follows.id) <> 'lost') as changed`,
        [customer.id, input.userId, lostAt, input.reason, input.at]);
      return { customerName: customer.name ?? null, changed: rows[0]?.changed ?? false };
    },

    /** Records why a customer transfer failed, on the follow relationship it concerned. */
    async recordTransferFailure(input: { userId: string; externalUserId: string; failReason: string }): Promise<void> {
      const em = deps.orm.em.fork();
      const customer = await em.findOne(WeworkCustomer, { externalUserid: input.externalUserId });
      const follow = customer && (await em.findOne(WeworkCustomerFollow, { customer, staffUserid: input.userId }));
      if (follow) {
        follow.description = [follow.description, `转接失败 transfer failed: ${input.failReason}`].filter(Boolean).join('\n');
        await em.flush();
      }
    },

    /**
     * Mirrors WeCom's corp tags into the local tag table (names and ids), after someone created,
     * renamed or deleted one in the admin console. Returns how many tags WeCom has.
     */
    async syncCorpTags(): Promise<{ tags: number }> {
      const groups = await callWeCom(deps, (api) => api.tags.list());
      const em = deps.orm.em.fork();
      const seen = new Set<string>();
      for (const group of groups) {
        for (const tag of group.tag) {
          seen.add(tag.id);
          const byId = await em.findOne(Tag, { wecomTagId: tag.id });
          if (byId) Object.assign(byId, { groupName: group.group_name, name: tag.name, wecomGroupId: group.group_id });
          else {
            await em.upsert(Tag, { groupName: group.group_name, name: tag.name, wecomTagId: tag.id, wecomGroupId: group.group_id }, {
              onConflictFields: ['groupName', 'name'], onConflictAction: 'merge', onConflictMergeFields: ['wecomTagId', 'wecomGroupId'],
            });
          }
        }
      }
      await em.flush();
      // Tags deleted in WeCom keep their local history but lose their WeCom id.
      await em.nativeUpdate(Tag, { wecomTagId: { $ne: null, $nin: [...seen] } }, { wecomTagId: null, wecomGroupId: null });
      return { tags: seen.size };
    },

    /** Stores a message a staff member sent to the app, once per MsgId. */
    async storeStaffMessage(input: { msgId: string; fromUserId: string; msgType: string; content: string | undefined; createTime: number }): Promise<void> {
      const em = deps.orm.em.fork();
      await em.upsert(WeworkMessage, {
        sendKey: `inbound:${input.msgId}`, kind: 'inbound', staffUserid: input.fromUserId, msgtype: input.msgType,
        content: { content: input.content ?? null, msgId: input.msgId }, status: 'sent', sentAt: new Date(input.createTime * 1000),
      }, { onConflictFields: ['sendKey'], onConflictAction: 'ignore' });
    },

    /** Marks the callback deliveries that started a workflow as processed, once it has finished. */
    async markCallbackProcessed(input: { workflowId: string }): Promise<void> {
      await deps.orm.em.fork().nativeUpdate(WeworkCallbackLog, { workflowId: input.workflowId, processed: false }, { processed: true });
    },
  };
}
