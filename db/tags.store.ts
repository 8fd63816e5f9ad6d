import type { EntityManager } from '@mikro-orm/postgresql';
import { Tag } from './entities/index.ts';
import type { ITag } from './entities/tag.entity.ts';
import type { Connection } from './customers.store.ts';

/** The local tag of a group/name pair, created when missing (two callers at once get the same row). */
export async function findOrCreateTag(em: EntityManager, groupName: string, name: string): Promise<ITag> {
  const found = await em.findOne(Tag, { groupName, name });
  if (found) return found;
  await em.upsert(Tag, { groupName, name }, { onConflictFields: ['groupName', 'name'], onConflictAction: 'ignore' });
  return em.findOneOrFail(Tag, { groupName, name });
}

/**
 * Records a channel tag WeCom has applied: on the customer, on their lead and in the staff
 * member's relationship (its WeCom tag ids). One statement; what is there already stays as it is.
 */
export async function tagCustomerLocally(connection: Connection, input: { tagId: number; wecomTagId: string; customerId: number; leadId: number; staffUserid: string }): Promise<void> {
  await connection.execute(
    `with on_customer as (insert into wework_customer_tags (tag_id, wework_customer_id) values (?, ?) on conflict do nothing),
     on_lead as (insert into lead_tags (tag_id, lead_id) values (?, ?) on conflict do nothing)
     update wework_customer_follows set wecom_tag_ids = wecom_tag_ids || to_jsonb(array[?::text]), updated_at = now()
     where customer_id = ? and staff_userid = ? and not wecom_tag_ids @> to_jsonb(array[?::text])`,
    [input.tagId, input.customerId, input.tagId, input.leadId, input.wecomTagId, input.customerId, input.staffUserid, input.wecomTagId], 'run',
  );
}
