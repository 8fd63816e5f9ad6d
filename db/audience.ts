import type { EntityManager } from '@mikro-orm/postgresql';
import type { Audience, AudiencePreview, CustomerTier } from '../common/campaigns.schema.ts';
import type { CustomerFilter } from '../common/customers.schema.ts';
import { consentSql } from './compliance.store.ts';
import { CustomerSegment } from './entities/index.ts';

/**
 * The audience filter as SQL, shared by the live preview (API) and the freeze at send time
 * (activity), so what the marketer counts is what is sent.
 *
 * Sender rule: a customer followed by several staff members gets the message once, from the
 * active relationship (matching the staff/channel filter) that was made first — the staff member
 * who has known the customer longest; ties go to the smaller UserID.
 */

type Sql = { sql: string; params: unknown[] };

/**
 * An audience with what a saved segment (客户分群, the customer list's filter) adds beyond SPEC
 * §3's fields: tags by id, an add way and a search text.
 */
type ResolvedAudience = Audience & { tagIds?: number[]; excludeTagIds?: number[]; addWay?: number; q?: string; onlyLost?: boolean };

/** A saved customer filter in the audience's terms (one segment table serves the list and campaigns). */
function segmentAudience(filter: Omit<CustomerFilter, 'segmentId'>): ResolvedAudience {
  const tagIds = [...(filter.tagIds ?? []), ...(filter.tagId ? [filter.tagId] : [])];
  return {
    ...(filter.channel ? { channels: [filter.channel] } : {}),
    ...(filter.staff ? { staff: [filter.staff] } : {}),
    ...(tagIds.length ? { tagIds } : {}),
    ...(filter.excludeTagIds?.length ? { excludeTagIds: filter.excludeTagIds } : {}),
    ...(filter.addedFrom ? { addedFrom: filter.addedFrom } : {}),
    ...(filter.addedTo ? { addedTo: filter.addedTo } : {}),
    ...(filter.addWay !== undefined ? { addWay: filter.addWay } : {}),
    ...(filter.q ? { q: filter.q } : {}),
    // A segment of lost customers has nobody a message can reach (every relationship ended).
    ...(filter.status === 'lost' ? { onlyLost: true } : {}),
    ...(filter.birthdayMonth ? { birthdayMonth: filter.birthdayMonth } : {}),
    ...(filter.tiers?.length ? { tiers: filter.tiers } : {}),
    ...(filter.noConsumptionDays ? { noConsumptionDays: filter.noConsumptionDays } : {}),
  };
}

/** A saved segment's filters with the inline ones laid over them (inline wins field by field). */
export async function resolveAudience(em: EntityManager, audience: Audience): Promise<ResolvedAudience> {
  if (audience.segmentId === undefined) return audience;
  const segment = await em.findOne(CustomerSegment, { id: audience.segmentId });
  if (!segment) throw new Error(`segment ${audience.segmentId} does not exist`);
  const { segmentId: _ignored, ...inline } = audience;
  return { ...segmentAudience(segment.filter as Omit<CustomerFilter, 'segmentId'>), ...inline };
}

/** The follow-level predicate (alias f): active, and matching the staff and channel filters. */
function followPredicate(audience: ResolvedAudience): Sql {
  const parts = [`f.status = 'active'`];
  const params: unknown[] = [];
  if (audience.staff?.length) { parts.push('f.staff_userid in (select jsonb_array_elements_text(?::jsonb))'); params.push(JSON.stringify(audience.staff)); }
  if (audience.channels?.length) { parts.push('f.state in (select jsonb_array_elements_text(?::jsonb))'); params.push(JSON.stringify(audience.channels)); }
  if (audience.addWay !== undefined) { parts.push('f.add_way = ?'); params.push(audience.addWay); }
  return { sql: parts.join(' and '), params };
}

/** The customer-level predicate (alias c), the follow predicate included as EXISTS. */
function customerPredicate(audience: ResolvedAudience, timeZone: string): Sql {
  const follow = followPredicate(audience);
  const parts = [`exists (select 1 from wework_customer_follows f where f.customer_id = c.id and ${follow.sql})`];
  const params: unknown[] = [...follow.params];
  const tagged = `exists (select 1 from wework_customer_tags ct join tags t on t.id = ct.tag_id where ct.wework_customer_id = c.id and t.name in (select jsonb_array_elements_text(?::jsonb)))`;
  if (audience.tags?.length) { parts.push(tagged); params.push(JSON.stringify(audience.tags)); }
  if (audience.excludeTags?.length) { parts.push(`not ${tagged}`); params.push(JSON.stringify(audience.excludeTags)); }
  if (audience.addedFrom) { parts.push(`c.added_at >= (?::date::timestamp at time zone ?)`); params.push(audience.addedFrom.slice(0, 10), timeZone); }
  if (audience.addedTo) { parts.push(`c.added_at < ((?::date + 1)::timestamp at time zone ?)`); params.push(audience.addedTo.slice(0, 10), timeZone); }
  if (audience.birthdayMonth) { const month = birthdayMonthCondition(audience.birthdayMonth); parts.push(month.sql); params.push(...month.params); }
  if (audience.noConsumptionDays) { parts.push(NO_CONSUMPTION_SQL); params.push(audience.noConsumptionDays); }
  if (audience.tiers?.length) parts.push(tierCondition(audience.tiers));
  if (audience.externalUserIds?.length) { parts.push('c.external_userid in (select jsonb_array_elements_text(?::jsonb))'); params.push(JSON.stringify(audience.externalUserIds)); }
  const taggedById = `exists (select 1 from wework_customer_tags ct where ct.wework_customer_id = c.id and ct.tag_id in (select jsonb_array_elements_text(?::jsonb)::int))`;
  if (audience.tagIds?.length) { parts.push(taggedById); params.push(JSON.stringify(audience.tagIds)); }
  if (audience.excludeTagIds?.length) { parts.push(`not ${taggedById}`); params.push(JSON.stringify(audience.excludeTagIds)); }
  if (audience.q) {
    const like = `%${audience.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    parts.push(`(c.name ilike ? or c.external_userid ilike ? or exists (select 1 from wework_customer_follows fr where fr.customer_id = c.id and fr.remark ilike ?))`);
    params.push(like, like, like);
  }
  if (audience.onlyLost) parts.push('false');
  return { sql: parts.join(' and '), params };
}

/**
 * "No visit in N days" (alias c, one parameter: N): no visit or purchase recorded in the last N
 * days. Reads wework_customers.last_consumed_at, which triggers on customer_consumptions keep.
 */
export const NO_CONSUMPTION_SQL = `(c.last_consumed_at is null or c.last_consumed_at < now() - (? * interval '1 day'))`;

/**
 * A customer's tier (alias c), as common/campaigns.schema.ts CUSTOMER_TIERS defines it, from the
 * first and last visit or purchase kept on the row (a subquery per customer made the tier filter
 * read every consumption of 100,000 customers).
 */
export const TIER_SQL = `(case
    when c.last_consumed_at is null then (case when c.added_at >= now() - interval '30 days' then 'new' else 'lost' end)
    when c.first_consumed_at >= now() - interval '30 days' then 'new'
    when c.last_consumed_at >= now() - interval '90 days' then 'active'
    when c.last_consumed_at >= now() - interval '180 days' then 'dormant'
    else 'lost' end)`;

/**
 * Each tier as a condition on the row (alias c), equivalent to `TIER_SQL = '<tier>'` but as ranges
 * of last_consumed_at that its index can read (first ≤ last, so a last visit over 90 days ago
 * implies a first one over 30 days ago).
 */
export const TIER_CONDITIONS: Record<CustomerTier, string> = {
  new: `((c.last_consumed_at is null and c.added_at >= now() - interval '30 days') or c.first_consumed_at >= now() - interval '30 days')`,
  active: `(c.last_consumed_at >= now() - interval '90 days' and c.first_consumed_at < now() - interval '30 days')`,
  dormant: `(c.last_consumed_at >= now() - interval '180 days' and c.last_consumed_at < now() - interval '90 days')`,
  lost: `((c.last_consumed_at is null and (c.added_at is null or c.added_at < now() - interval '30 days')) or c.last_consumed_at < now() - interval '180 days')`,
};

/** Month*100+day of the birthday (alias c): the expression of wework_customers_birthday_md_id_index. */
export const BIRTHDAY_MONTH_DAY_SQL = '(extract(month from c.birthday) * 100 + extract(day from c.birthday))';

/**
 * Born in `month` (alias c), as month*100+day between m01 and m31: the birthday index's own
 * expression, so a count reads about a twelfth of the index instead of every customer.
 */
export function birthdayMonthCondition(month: number): Sql {
  return { sql: `c.birthday is not null and ${BIRTHDAY_MONTH_DAY_SQL} between ? and ?`, params: [month * 100 + 1, month * 100 + 31] };
}

/** In any of `tiers` (alias c), as TIER_CONDITIONS' indexable ranges; the tiers are the schema's enum, never free text. */
export function tierCondition(tiers: readonly CustomerTier[]): string {
  return `(${tiers.map((tier) => TIER_CONDITIONS[tier]).join(' or ')})`;
}

const CONSENTED = consentSql.marketingGranted('c.external_userid');

/** Count, consented count and a sample of 10, for the builder's live preview. */
export async function previewAudience(em: EntityManager, audience: Audience, timeZone: string): Promise<AudiencePreview> {
  const resolved = await resolveAudience(em, audience);
  const where = customerPredicate(resolved, timeZone);
  const connection = em.getConnection();
  const [totals] = await connection.execute<Array<{ count: string; consented: string }>>(
    `select count(*) as count, count(*) filter (where ${CONSENTED}) as consented from wework_customers c where ${where.sql}`, where.params);
  const sample = await connection.execute<Array<{ external_userid: string; name: string | null; avatar: string | null; consented: boolean }>>(
    `select c.external_userid, c.name, c.avatar, ${CONSENTED} as consented from wework_customers c where ${where.sql} order by c.added_at desc nulls last, c.id desc limit 10`, where.params);
  return {
    count: Number(totals?.count ?? 0),
    consented: Number(totals?.consented ?? 0),
    sample: sample.map((r) => ({ externalUserId: r.external_userid, name: r.name, avatar: r.avatar, consented: r.consented })),
  };
}

/**
 * Freezes the audience into send_recipients for `runId` with one INSERT … SELECT (idempotent:
 * a second call adds nothing). Returns how many recipients the run has.
 */
export async function freezeAudience(em: EntityManager, runId: number, audience: Audience, timeZone: string): Promise<number> {
  const resolved = await resolveAudience(em, audience);
  const where = customerPredicate(resolved, timeZone);
  const follow = followPredicate(resolved);
  const connection = em.getConnection();
  await connection.execute(
    `insert into send_recipients (run_id, customer_id, external_userid, sender, state)
     select ?, c.id, c.external_userid,
            (select f.staff_userid from wework_customer_follows f where f.customer_id = c.id and ${follow.sql}
              order by f.followed_at asc nulls last, f.staff_userid asc limit 1),
            'pending'
       from wework_customers c where ${where.sql}
     on conflict (run_id, external_userid) do nothing`,
    [runId, ...follow.params, ...where.params]);
  const [row] = await connection.execute<Array<{ n: string }>>('select count(*) as n from send_recipients where run_id = ?', [runId]);
  return Number(row?.n ?? 0);
}
