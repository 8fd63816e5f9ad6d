import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { saveJourneyRequestSchema } from '../../common/journeys.schema.ts';
import { saveJourney } from '../../db/journeys.store.ts';
import { Journey, JourneyVersion } from '../../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readIdParam, readJson } from '../validation.ts';
import { refuseForbiddenTerms } from '../forbidden-terms.ts';

/** Customers per version, step and status of the given journeys (the editor's counts per step). */
async function countsOf(em: EntityManager, ids: number[]): Promise<Array<{ journeyId: number; version: number; stepIndex: number; status: string; customers: number }>> {
  if (ids.length === 0) return [];
  const rows = await em.getConnection().execute<Array<{ journey_id: number; version: number; step_index: number; status: string; n: string }>>(
    `select journey_id, version, step_index, status, count(*) as n from journey_enrollments where journey_id in (${ids.map(() => '?').join(', ')})
      group by journey_id, version, step_index, status order by journey_id, version, step_index`, ids);
  return rows.map((r) => ({ journeyId: r.journey_id, version: r.version, stepIndex: r.step_index, status: r.status, customers: Number(r.n) }));
}

function conflictOnChannel(error: unknown): never {
  if (error instanceof UniqueConstraintViolationException) throw new AppError(409, 'journey_channel_taken', 'Another journey already serves this channel; edit that one instead.');
  throw error;
}

/** A journey's send-step texts (marketing: each goes through the forbidden-term gate), by field. */
function sendTexts(steps: ReadonlyArray<{ kind: string; text?: string }>): Array<{ text: string; field: string }> {
  return steps.flatMap((step, index) => (step.kind === 'send' && step.text ? [{ text: step.text, field: `steps.${index}.text` }] : []));
}

/**
 * `/api/journeys`: per-channel journey definitions with immutable versions, each journey's
 * counts per step, and where each customer is. Saving changed steps makes a new version; customers
 * already on their way keep the one they started with.
 */
export function journeyRoutes(deps: { em: () => EntityManager }) {
  return new Hono<AuthEnv>()
    .get('/', requirePermission('automations.view'), async (c) => {
      const em = deps.em();
      const journeys = await em.find(Journey, {}, { orderBy: { id: 'asc' } });
      const counts = await countsOf(em, journeys.map((j) => j.id));
      const versions = await em.find(JourneyVersion, { journey: { $in: journeys.map((j) => j.id) } });
      return c.json({
        items: journeys.map((j) => ({
          id: j.id, name: j.name, channel: j.channel, active: j.active, currentVersion: j.currentVersion,
          steps: versions.find((v) => v.journey.id === j.id && v.version === j.currentVersion)?.steps ?? [],
          customers: counts.filter((n) => n.journeyId === j.id).reduce((sum, n) => sum + n.customers, 0),
          activeCustomers: counts.filter((n) => n.journeyId === j.id && n.status === 'active').reduce((sum, n) => sum + n.customers, 0),
        })),
      }, 200);
    })
    .get('/:id', requirePermission('automations.view'), async (c) => {
      const id = readIdParam(c);
      const em = deps.em();
      const journey = await em.findOne(Journey, { id });
      if (!journey) throw new AppError(404, 'journey_not_found', `No journey with id ${id}.`);
      const versions = await em.find(JourneyVersion, { journey }, { orderBy: { version: 'desc' } });
      const enrollments = await em.getConnection().execute<Array<Record<string, unknown>>>(
        `select e.id, e.customer_id as "customerId", c.external_userid as "externalUserId", c.name, e.staff_userid as "staffUserId", e.version,
                e.step_index as "stepIndex", e.status, e.exit_reason as "exitReason", e.waiting_until as "waitingUntil", e.workflow_id as "workflowId", e.updated_at as "updatedAt"
           from journey_enrollments e join wework_customers c on c.id = e.customer_id where e.journey_id = ? order by e.updated_at desc limit 200`, [id]);
      return c.json({
        id: journey.id, name: journey.name, channel: journey.channel, active: journey.active, currentVersion: journey.currentVersion,
        versions: versions.map((v) => ({ version: v.version, steps: v.steps, createdAt: v.createdAt.toISOString() })),
        counts: await countsOf(em, [id]),
        enrollments,
      }, 200);
    })
    .post('/', requirePermission('automations.manage'), async (c) => {
      const input = await readJson(c, saveJourneyRequestSchema);
      await refuseForbiddenTerms(deps.em(), sendTexts(input.steps));
      const saved = await saveJourney(deps.em(), input).catch(conflictOnChannel);
      return c.json({ id: saved.id, version: saved.version }, 201);
    })
    .put('/:id', requirePermission('automations.manage'), async (c) => {
      const id = readIdParam(c);
      const input = await readJson(c, saveJourneyRequestSchema);
      const em = deps.em();
      if (!(await em.findOne(Journey, { id }))) throw new AppError(404, 'journey_not_found', `No journey with id ${id}.`);
      await refuseForbiddenTerms(em, sendTexts(input.steps));
      const saved = await saveJourney(em, input, id).catch(conflictOnChannel);
      return c.json({ id: saved.id, version: saved.version }, 200);
    });
}
