import type { EntityManager } from '@mikro-orm/postgresql';
import type { CustomerFilter, CustomerSort } from '../../common/customers.schema.ts';
import { segmentFilterSchema } from '../../common/segments.schema.ts';
import { CLINIC_TIME_ZONE_SQL } from '../../db/compliance.store.ts';
import { BIRTHDAY_MONTH_DAY_SQL as BIRTHDAY_MD, birthdayMonthCondition, NO_CONSUMPTION_SQL, tierCondition } from '../../db/audience.ts';
import { CustomerSegment } from '../../db/entities/index.ts';
import { AppError } from '../errors.ts';

/** A SQL condition over `wework_customers c` with its parameters (values are never spliced into SQL). */
export interface SqlWhere {
  sql: string;
  params: unknown[];
}

/** A customer filter's WHERE clause, and a cheaper count query when one gives the same number. */
export interface CustomerWhere extends SqlWhere {
  /**
   * `select count(…)` of the matching customers when only follow fields (channel, staff, add way)
   * narrow the list: counted on the follows' (state, customer_id) index alone instead of a semi
   * join over every customer (50+ ms for one channel's 12,500 customers out of 100,000).
   */
  countSql?: SqlWhere;
}

/** `%…%` for ILIKE with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The conditions of one filter (without its segment); returns its follow condition (alias f) when it has one. */
function conditionsOf(filter: CustomerFilter, conditions: string[], params: unknown[]): SqlWhere | null {
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    conditions.push(`(c.name ilike ? or c.external_userid ilike ? or exists (select 1 from wework_customer_follows fr where fr.customer_id = c.id and fr.remark ilike ?))`);
    params.push(pattern, pattern, pattern);
  }
  // Channel, staff and add_way describe one relationship: the same follow must match all of them.
  const follow: string[] = [];
  const followParams: unknown[] = [];
  if (filter.channel) { follow.push('f.state = ?'); followParams.push(filter.channel); }
  if (filter.staff) { follow.push('f.staff_userid = ?'); followParams.push(filter.staff); }
  if (filter.addWay !== undefined) { follow.push('f.add_way = ?'); followParams.push(filter.addWay); }
  if (follow.length > 0) {
    conditions.push(`exists (select 1 from wework_customer_follows f where f.customer_id = c.id and ${follow.join(' and ')})`);
    params.push(...followParams);
  }
  const include = [...new Set([...(filter.tagIds ?? []), ...(filter.tagId !== undefined ? [filter.tagId] : [])])];
  if (include.length > 0) {
    conditions.push(`exists (select 1 from wework_customer_tags ct where ct.wework_customer_id = c.id and ct.tag_id in (${include.map(() => '?').join(', ')}))`);
    params.push(...include);
  }
  if (filter.excludeTagIds && filter.excludeTagIds.length > 0) {
    conditions.push(`not exists (select 1 from wework_customer_tags ct where ct.wework_customer_id = c.id and ct.tag_id in (${filter.excludeTagIds.map(() => '?').join(', ')}))`);
    params.push(...filter.excludeTagIds);
  }
  if (filter.addedFrom) { conditions.push(`c.added_at >= (?::date::timestamp at time zone ${CLINIC_TIME_ZONE_SQL})`); params.push(filter.addedFrom); }
  if (filter.addedTo) { conditions.push(`c.added_at < ((?::date + 1)::timestamp at time zone ${CLINIC_TIME_ZONE_SQL})`); params.push(filter.addedTo); }
  // `lost` is kept by a trigger on the follows (every relationship lost), so this is one indexed column.
  if (filter.status === 'lost') conditions.push('c.lost');
  if (filter.status === 'active') conditions.push('not c.lost');
  if (filter.birthdayMonth) { const month = birthdayMonthCondition(filter.birthdayMonth); conditions.push(month.sql); params.push(...month.params); }
  if (filter.tiers?.length) conditions.push(tierCondition(filter.tiers));
  if (filter.noConsumptionDays) { conditions.push(NO_CONSUMPTION_SQL); params.push(filter.noConsumptionDays); }
  return follow.length > 0 ? { sql: follow.join(' and '), params: followParams } : null;
}

/**
 * The WHERE clause selecting the customers of `filter`; a `segmentId` adds the saved segment's
 * own conditions (404 `segment_not_found` when it is gone). Shared by the list, the export, bulk
 * tagging and (through `segmentId`) campaign audiences.
 */
export async function customerWhere(em: EntityManager, filter: CustomerFilter): Promise<CustomerWhere> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const follow = conditionsOf(filter, conditions, params);
  // Every follow belongs to a customer (foreign key), so its distinct customers are the matches.
  const countSql = follow && conditions.length === 1 && filter.segmentId === undefined
    ? { sql: `select count(distinct f.customer_id) as n from wework_customer_follows f where ${follow.sql}`, params: follow.params }
    : undefined;
  if (filter.segmentId !== undefined) {
    const segment = await em.findOne(CustomerSegment, { id: filter.segmentId });
    if (!segment) throw new AppError(404, 'segment_not_found', `No segment with id ${filter.segmentId}.`);
    conditionsOf(segmentFilterSchema.parse(segment.filter), conditions, params);
  }
  return { sql: conditions.length > 0 ? `where ${conditions.join(' and ')}` : '', params, ...(countSql ? { countSql } : {}) };
}

/** ORDER BY for a list sort; each shape matches an index, with the id as tiebreaker for stable pages. */
function customerOrderBy(sort: Exclude<CustomerSort, 'birthday'>, order: 'asc' | 'desc'): string {
  if (sort === 'name') return order === 'asc' ? 'c.name asc nulls last, c.id asc' : 'c.name desc nulls first, c.id desc';
  // Customers never seen at the clinic go last when the latest visit comes first (and first the other way).
  if (sort === 'lastVisit') return order === 'desc' ? 'c.last_consumed_at desc nulls last, c.id desc' : 'c.last_consumed_at asc nulls first, c.id asc';
  if (sort === 'spend') return order === 'desc' ? 'c.spend_fen desc, c.id desc' : 'c.spend_fen asc, c.id asc';
  return order === 'desc' ? 'c.added_at desc nulls last, c.id desc' : 'c.added_at asc nulls first, c.id asc';
}

/** Today's month*100+day in the clinic's time zone. */
const TODAY_MD = `(select extract(month from d) * 100 + extract(day from d) from (select (now() at time zone ${CLINIC_TIME_ZONE_SQL})::date as d) today)`;

/**
 * One page of customers (`columns` over `c` and the lead `l`) matching `where`, in the order of
 * `sort`. Birthday order is the next birthday first: this year's remaining days, then the days
 * before today, then customers without a birthday (reversed when descending). That order has no
 * index of its own, so each of the three parts reads its own range of the (month*100+day, id)
 * index up to the page's end, and only those rows are sorted.
 */
export function customerListSql(columns: string, where: SqlWhere, sort: CustomerSort, order: 'asc' | 'desc', limit: number, offset: number): SqlWhere {
  const from = 'from wework_customers c left join leads l on l.id = c.lead_id';
  if (sort !== 'birthday') {
    return { sql: `select ${columns} ${from} ${where.sql} order by ${customerOrderBy(sort, order)} limit ? offset ?`, params: [...where.params, limit, offset] };
  }
  const and = (condition: string) => (where.sql ? `${where.sql} and ${condition}` : `where ${condition}`);
  const dir = order === 'asc' ? 'asc' : 'desc';
  const part = (index: number, key: string, condition: string, orderBy: string) =>
    `(select c.id, ${index} as part, ${key} as md from wework_customers c ${and(condition)} order by ${orderBy} limit ?)`;
  const parts = [
    part(0, BIRTHDAY_MD, `c.birthday is not null and ${BIRTHDAY_MD} >= ${TODAY_MD}`, `${BIRTHDAY_MD} ${dir}, c.id ${dir}`),
    part(1, BIRTHDAY_MD, `c.birthday is not null and ${BIRTHDAY_MD} < ${TODAY_MD}`, `${BIRTHDAY_MD} ${dir}, c.id ${dir}`),
    part(2, '0', 'c.birthday is null', `c.id ${dir}`),
  ];
  const end = limit + offset;
  return {
    sql: `with page as (select id, part, md from (${parts.join(' union all ')}) u order by part ${dir}, md ${dir}, id ${dir} limit ? offset ?)
      select ${columns} from page p join wework_customers c on c.id = p.id left join leads l on l.id = c.lead_id order by p.part ${dir}, p.md ${dir}, p.id ${dir}`,
    params: [...where.params, end, ...where.params, end, ...where.params, end, limit, offset],
  };
}
