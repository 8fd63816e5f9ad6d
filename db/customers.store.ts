import type { Transaction } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/** A SQL connection of the ORM, for tables written in bulk or in one statement, not through the unit of work. */
export type Connection = ReturnType<EntityManager['getConnection']>;

/** A customer as WeCom describes them (externalcontact/get or batch/get_by_user). */
export interface CustomerFields {
  externalUserid: string;
  name: string | null;
  avatar: string | null;
  gender: number;
  unionid: string | null;
  type: number | null;
  corpName: string | null;
  /** The earliest follow createtime seen: added_at only ever moves earlier. */
  addedAt: Date | null;
}

/** One staff member's relationship with a customer, as WeCom describes it, and how to apply it. */
export interface FollowFields {
  customerId: number;
  staffUserid: string;
  remark: string | null;
  description: string | null;
  addWay: number | null;
  state: string | null;
  operUserid: string | null;
  wecomTagIds: string[];
  followedAt: Date | null;
  /** WeCom says the relationship exists now (a sync, an add event): a lost one becomes active again. */
  reactivate: boolean;
  /** CreateTime of the callback event behind this row: applied only if not older than the last applied. */
  eventWatermark: number | null;
  /** The sync that saw this relationship (see db/sync-generations.store.ts); null keeps the stored one. */
  syncGeneration: number | null;
}

/** `count` groups of `row` (e.g. `(?, ?)`), comma-joined, for multi-row statements. */
export function placeholders(count: number, row: string): string {
  return Array.from({ length: count }, () => row).join(', ');
}

/**
 * The one upsert of wework_customers, used by the sync, onboarding and the edit callback: WeCom's
 * fields replace the stored ones, except that a missing unionid never erases a known one and
 * added_at only moves earlier. Rows for the same customer are merged first. Returns each id.
 */
export async function upsertCustomers(connection: Connection, rows: CustomerFields[], trx?: Transaction): Promise<Map<string, number>> {
  const byId = new Map<string, CustomerFields>();
  for (const row of rows) {
    const seen = byId.get(row.externalUserid);
    const addedAt = [seen?.addedAt, row.addedAt].filter((d): d is Date => d instanceof Date).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    byId.set(row.externalUserid, { ...row, unionid: row.unionid || seen?.unionid || null, addedAt });
  }
  if (byId.size === 0) return new Map();
  const params: unknown[] = [];
  for (const c of byId.values()) params.push(c.externalUserid, c.name, c.avatar, c.gender, c.unionid, c.type, c.corpName, c.addedAt);
  const ids: Array<{ id: number; external_userid: string }> = await connection.execute(
    `insert into wework_customers (created_at, updated_at, external_userid, name, avatar, gender, unionid, type, corp_name, added_at)
     values ${placeholders(byId.size, '(now(), now(), ?, ?, ?, ?, ?, ?, ?, ?)')}
     on conflict (external_userid) do update set name = excluded.name, avatar = excluded.avatar, gender = excluded.gender,
       unionid = coalesce(excluded.unionid, wework_customers.unionid), type = excluded.type, corp_name = excluded.corp_name,
       added_at = least(wework_customers.added_at, excluded.added_at), updated_at = now()
     returning id, external_userid`,
    params, 'all', trx,
  );
  return new Map(ids.map((row) => [row.external_userid, row.id]));
}

/**
 * The one upsert of wework_customer_follows, used by the sync, onboarding and the edit callback.
 * WeCom's fields replace the stored ones; `reactivate` rows end a loss; a row with an event
 * watermark changes nothing when a later event was applied already (WeCom does not promise order).
 * One statement per kind of row, so a page of a sync is one statement.
 */
export async function upsertFollows(connection: Connection, rows: FollowFields[], trx?: Transaction): Promise<void> {
  const groups = new Map<string, FollowFields[]>();
  for (const row of rows) {
    const key = `${row.reactivate}:${row.eventWatermark !== null}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const group of groups.values()) {
    const { reactivate, eventWatermark } = group[0]!;
    const params: unknown[] = [];
    for (const f of group) {
      params.push(f.customerId, f.staffUserid, f.remark, f.description, f.addWay, f.state, f.operUserid, JSON.stringify(f.wecomTagIds), f.followedAt,
        f.eventWatermark, f.syncGeneration);
    }
    await connection.execute(
      `insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, remark, description, add_way, state, oper_userid, wecom_tag_ids, followed_at, event_watermark, sync_generation, status)
       values ${placeholders(group.length, "(now(), now(), ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::bigint, ?::bigint, 'active')")}
       on conflict (customer_id, staff_userid) do update set
         remark = excluded.remark, description = excluded.description, add_way = excluded.add_way, state = excluded.state,
         oper_userid = excluded.oper_userid, wecom_tag_ids = excluded.wecom_tag_ids, followed_at = excluded.followed_at, updated_at = now(),
         sync_generation = greatest(wework_customer_follows.sync_generation, excluded.sync_generation)
         ${reactivate ? ", status = 'active', lost_at = null, lost_reason = null" : ''}
         ${eventWatermark !== null ? `, event_watermark = excluded.event_watermark
       where wework_customer_follows.event_watermark is null or wework_customer_follows.event_watermark <= excluded.event_watermark` : ''}`,
      params, 'run', trx,
    );
  }
}

/**
 * Gives a customer a lead with `source` unless they have one (first-touch attribution: an existing
 * lead keeps its source). One statement: the customer's row lock makes two events for one customer
 * (two staff members added at once) create one lead; the later one reads the first one's.
 */
export async function ensureCustomerLead(connection: Connection, input: { customerId: number; name: string | null; source: string }): Promise<{ leadId: number; created: boolean }> {
  const [row] = await connection.execute<Array<{ lead_id: number; created: boolean }>>(
    `with customer as (select id, lead_id from wework_customers where id = ? for update),
     made as (insert into leads (created_at, updated_at, name, source, status)
       select now(), now(), ?, ?, 'new' from customer where lead_id is null returning id),
     linked as (update wework_customers set lead_id = made.id, updated_at = now() from made where wework_customers.id = ? returning lead_id)
     select coalesce((select lead_id from linked), (select lead_id from customer)) as lead_id, exists (select 1 from made) as created`,
    [input.customerId, input.name, input.source, input.customerId], 'all',
  );
  if (!row?.lead_id) throw new Error(`customer ${input.customerId} does not exist`);
  return { leadId: row.lead_id, created: row.created };
}
