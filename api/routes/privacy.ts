import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { eraseCustomerRequestSchema, retentionSettingsSchema, type EraseCustomerResult, type RetentionSettings } from '../../common/privacy.schema.ts';
import { PrivacySettings } from '../../db/entities/index.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { eraseCustomerRecords, externalIdHash, findCustomerKey, readCustomerRecords, type CustomerKey } from '../privacy/customer-records.ts';
import { deleteCustomerRuns, listCustomerRuns, type CustomerRun } from '../privacy/customer-workflows.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { readIdParam, readJson } from '../validation.ts';

/** What the PIPL routes need from the composition root. */
export interface PrivacyRouteDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
}

async function customerOr404(deps: PrivacyRouteDeps, id: number): Promise<CustomerKey> {
  const key = await findCustomerKey(deps.em(), id);
  if (!key) throw new AppError(404, 'customer_not_found', `No customer with id ${id}.`);
  return key;
}

/** The customer's runs; 503 when Temporal cannot be asked, so an export or erasure is never silently partial. */
async function runsOf(deps: PrivacyRouteDeps, key: CustomerKey): Promise<CustomerRun[]> {
  try {
    return await listCustomerRuns(deps.temporal.client, key.externalUserid);
  } catch (error) {
    throw new AppError(503, 'temporal_unavailable', `Temporal could not be asked for the customer's workflow runs (${(error as Error).message}); try again when it is back.`);
  }
}

/**
 * PIPL rights (admins only): `GET /api/customers/:id/export` downloads everything held about one
 * customer as JSON; `POST /api/customers/:id/erase` `{ confirm: <external id> }` deletes it from
 * every table and their workflow histories from Temporal. Both are audited, the erasure without
 * the erased data (a hash of the external id and counts only).
 */
export function customerPrivacyRoutes(deps: PrivacyRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/:id/export', requirePermission('customers.privacy'), async (c) => {
      const key = await customerOr404(deps, readIdParam(c));
      const workflowRuns = await runsOf(deps, key);
      const records = await readCustomerRecords(deps.em(), key);
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'customer.export', target: { type: 'customer', id: key.id },
        details: { workflowRuns: workflowRuns.length }, ip: clientInfo(c).ip,
      });
      c.header('Content-Disposition', `attachment; filename="customer-${key.id}-export.json"`);
      return c.json({ exportedAt: new Date().toISOString(), externalUserid: key.externalUserid, ...records, workflowRuns }, 200);
    })
    .post('/:id/erase', requirePermission('customers.privacy'), async (c) => {
      const id = readIdParam(c);
      const { confirm } = await readJson(c, eraseCustomerRequestSchema);
      const key = await customerOr404(deps, id);
      if (confirm !== key.externalUserid) {
        throw new AppError(400, 'confirmation_mismatch', 'confirm: type the customer\'s external id exactly to confirm the erasure.', { field: 'confirm' });
      }
      // Temporal first: if it is down nothing is erased yet, and the request can simply be repeated.
      const runs = await runsOf(deps, key);
      const workflowRuns = await deleteCustomerRuns(deps.temporal.client, deps.temporal.namespace, runs);
      const rows = await eraseCustomerRecords(deps.em(), key);
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'customer.erase',
        target: { type: 'customer', id: externalIdHash(key.externalUserid) }, details: { rows, workflowRuns }, ip: clientInfo(c).ip,
      });
      const body: EraseCustomerResult = { erased: true, rows, workflowRuns };
      return c.json(body, 200);
    });
}

async function readRetention(em: EntityManager): Promise<RetentionSettings> {
  const row = await em.findOne(PrivacySettings, { id: 1 });
  return { callbackLogDays: row?.callbackLogDays ?? null, messageDays: row?.messageDays ?? null };
}

/** `GET/PUT /api/settings/retention` (admins): how long callback logs and messages are kept; applied by the daily purge. */
export function retentionRoutes(deps: PrivacyRouteDeps) {
  return new Hono<AuthEnv>()
    .use(requirePermission('settings.manage'))
    .get('/retention', async (c) => c.json(await readRetention(deps.em()), 200))
    .put('/retention', async (c) => {
      const input = await readJson(c, retentionSettingsSchema);
      const em = deps.em();
      const before = await readRetention(em);
      await em.upsert(PrivacySettings, { id: 1, ...input, updatedAt: new Date() });
      const actor = c.get('auth').user;
      await recordAudit(em, {
        actor: { id: actor.id, username: actor.username }, action: 'settings.retention', target: { type: 'settings', id: 'retention' },
        details: { from: before, to: input }, ip: clientInfo(c).ip,
      });
      return c.json(await readRetention(deps.em()), 200);
    });
}
