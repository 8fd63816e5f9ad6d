import type { EntityManager } from '@mikro-orm/postgresql';
import type { CustomerFilter } from '../../common/customers.schema.ts';
import { segmentFilterSchema } from '../../common/segments.schema.ts';
import { CLINIC_TIME_ZONE_SQL } from '../../db/compliance.store.ts';
import { NO_CONSUMPTION_SQL, TIER_SQL } from '../../db/audience.ts';
import { CustomerSegment } from '../../db/entities/index.ts';
import { AppError } from '../errors.ts';

/** A SQL condition over `wework_customers c` with its parameters (values are never spliced into SQL). */
export interface SqlWhere {
  sql: string;
  params: unknown[];
}

/** `%…%` for ILIKE with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The conditions of one filter (without its segment). */
function conditionsOf(filter: CustomerFilter, conditions: string[], params: unknown[]): void {
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    conditions.push(`(c.name ilike ? or c.external_userid ilike ? or exists (select 1 from wework_customer_follows fr where fr.customer_id = c.id and fr.remark ilike ?))`);
    params.push(pattern, pattern, pattern);
  }
  // Channel, staff and add_way describe one relationship: the same follow must match all of them.
  const follow: string[] = [];
  if (filter.channel) { follow.push('f.state = ?'); params.push(filter.channel); }
  if (filter.staff) { follow.push('f.staff_userid = ?'); params.push(filter.staff); }
  if (filter.addWay !== undefined) { follow.push('f.add_way = ?'); params.push(filter.addWay); }
  if (follow.length > 0) conditions.push(`exists (select 1 from wework_customer_follows f where f.customer_id = c.id and ${follow.join(' and ')})`);
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
  if (filter.birthdayMonth) { conditions.push('extract(month from c.birthday) = ?'); params.push(filter.birthdayMonth); }
  if (filter.tiers?.length) { conditions.push(`${TIER_SQL} in (${filter.tiers.map(() => '?').join(', ')})`); params.push(...filter.tiers); }
  if (filter.noConsumptionDays) { conditions.push(NO_CONSUMPTION_SQL); params.push(filter.noConsumptionDays); }
}

/**
 * The WHERE clause selecting the customers of `filter`; a `segmentId` adds the saved segment's
 * own conditions (404 `segment_not_found` when it is gone). Shared by the list, the export, bulk
 * tagging and (through `segmentId`) campaign audiences.
 */
export async function customerWhere(em: EntityManager, filter: CustomerFilter): Promise<SqlWhere> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  conditionsOf(filter, conditions, params);
  if (filter.segmentId !== undefined) {
    const segment = await em.findOne(CustomerSegment, { id: filter.segmentId });
    if (!segment) throw new AppError(404, 'segment_not_found', `No segment with id ${filter.segmentId}.`);
    conditionsOf(segmentFilterSchema.parse(segment.filter), conditions, params);
  }
  return { sql: conditions.length > 0 ? `where ${conditions.join(' and ')}` : '', params };
}

/** ORDER BY for a list sort; each shape matches an index, with the id as tiebreaker for stable pages. */
export function customerOrderBy(sort: 'addedAt' | 'name', order: 'asc' | 'desc'): string {
  if (sort === 'name') return order === 'asc' ? 'c.name asc nulls last, c.id asc' : 'c.name desc nulls first, c.id desc';
  return order === 'desc' ? 'c.added_at desc nulls last, c.id desc' : 'c.added_at asc nulls first, c.id asc';
}
