import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseBirthday, setBirthdayRequestSchema, showBirthday } from '../../common/automations.schema.ts';
import { setCustomerBirthday } from '../../db/birthdays.store.ts';
import { AppError } from '../errors.ts';
import { requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readJson } from '../validation.ts';

/**
 * `PUT /api/customers/by-external-id/:externalUserId/birthday` (SPEC §3): WeCom never gives
 * birthdays, the clinic's records do. A change releases a greeting claimed for the old date.
 * The GET is what the customer's detail page shows and edits.
 */
export function customerBirthdayRoutes(deps: { em: () => EntityManager }) {
  return new Hono<AuthEnv>()
    .get('/by-external-id/:externalUserId/birthday', requirePermission('customers.view'), async (c) => {
      const externalUserId = c.req.param('externalUserId');
      const [customer] = await deps.em().getConnection().execute<Array<{ birthday: string | null }>>(
        `select to_char(birthday, 'YYYY-MM-DD') as birthday from wework_customers where external_userid = ?`, [externalUserId]);
      if (!customer) throw new AppError(404, 'customer_not_found', `No customer with externalUserId ${externalUserId}.`);
      return c.json({ externalUserId, birthday: showBirthday(customer.birthday) }, 200);
    })
    .put('/by-external-id/:externalUserId/birthday', requirePermission('automations.manage'), async (c) => {
      const externalUserId = c.req.param('externalUserId');
      const { birthday } = await readJson(c, setBirthdayRequestSchema);
      const em = deps.em();
      const [customer] = await em.getConnection().execute<Array<{ id: number }>>('select id from wework_customers where external_userid = ?', [externalUserId]);
      if (!customer) throw new AppError(404, 'customer_not_found', `No customer with externalUserId ${externalUserId}.`);
      const stored = parseBirthday(birthday)!;
      const changed = await setCustomerBirthday(em, customer.id, stored);
      return c.json({ externalUserId, birthday: showBirthday(stored), changed }, 200);
    });
}
