import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { segmentFilterSchema, segmentInputSchema, type Segment } from '../../common/segments.schema.ts';
import { CustomerSegment } from '../../db/entities/index.ts';
import type { ICustomerSegment } from '../../db/entities/customer-segment.entity.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readIdParam, readJson } from '../validation.ts';

/** What the segment routes need from the composition root. */
export interface SegmentRouteDeps {
  em: () => EntityManager;
}

/** A stored segment as the API answers it; a filter saved by an older schema is read leniently. */
function toSegment(row: ICustomerSegment): Segment {
  const filter = segmentFilterSchema.safeParse(row.filter);
  return {
    id: row.id, name: row.name, filter: filter.success ? filter.data : segmentFilterSchema.parse({}), createdBy: row.createdBy ?? null,
    createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
  };
}

/** A taken name as 409 `segment_name_taken`; anything else is rethrown. */
function nameTaken(error: unknown): never {
  if (error instanceof UniqueConstraintViolationException) throw new AppError(409, 'segment_name_taken', 'Another segment already has this name.', { field: 'name' });
  throw error;
}

/**
 * `/api/segments`: saved customer filters (客户分群). Everyone who sees customers can list them
 * (they are the list's quick views); saving, renaming and deleting is audited.
 */
export function segmentRoutes(deps: SegmentRouteDeps) {
  return new Hono<AuthEnv>()
    .use(requirePermission('customers.view'))
    .get('/', async (c) => {
      const rows = await deps.em().find(CustomerSegment, {}, { orderBy: { name: 'asc' } });
      return c.json({ items: rows.map(toSegment) }, 200);
    })
    .get('/:id', async (c) => {
      const row = await deps.em().findOne(CustomerSegment, { id: readIdParam(c) });
      if (!row) throw new AppError(404, 'segment_not_found', 'No such segment.');
      return c.json(toSegment(row), 200);
    })
    .post('/', requirePermission('segments.manage'), async (c) => {
      const input = await readJson(c, segmentInputSchema);
      const em = deps.em();
      const actor = c.get('auth').user;
      const row = em.create(CustomerSegment, { name: input.name, filter: input.filter, createdBy: actor.id });
      await em.flush().catch(nameTaken);
      await recordAudit(deps.em(), { actor: { id: actor.id, username: actor.username }, action: 'segment.create', target: { type: 'segment', id: row.id }, details: { name: input.name }, ip: clientInfo(c).ip });
      return c.json(toSegment(row), 201);
    })
    .put('/:id', requirePermission('segments.manage'), async (c) => {
      const id = readIdParam(c);
      const input = await readJson(c, segmentInputSchema);
      const em = deps.em();
      const row = await em.findOne(CustomerSegment, { id });
      if (!row) throw new AppError(404, 'segment_not_found', 'No such segment.');
      row.name = input.name;
      row.filter = input.filter;
      await em.flush().catch(nameTaken);
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), { actor: { id: actor.id, username: actor.username }, action: 'segment.update', target: { type: 'segment', id }, details: { name: input.name }, ip: clientInfo(c).ip });
      return c.json(toSegment(row), 200);
    })
    .delete('/:id', requirePermission('segments.manage'), async (c) => {
      const id = readIdParam(c);
      const em = deps.em();
      const row = await em.findOne(CustomerSegment, { id });
      if (!row) throw new AppError(404, 'segment_not_found', 'No such segment.');
      await em.remove(row).flush();
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), { actor: { id: actor.id, username: actor.username }, action: 'segment.delete', target: { type: 'segment', id }, details: { name: row.name }, ip: clientInfo(c).ip });
      return c.json({ ok: true }, 200);
    });
}
