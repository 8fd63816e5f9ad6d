import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { readClinicCompliance } from '../../db/compliance.store.ts';
import type { AuthEnv } from '../middleware/auth.ts';

/** What the clinic route needs from the composition root. */
export interface ClinicRouteDeps {
  em: () => EntityManager;
}

/**
 * `GET /api/clinic`: what every signed-in page needs to know about the clinic, read from its
 * settings row: the time zone in which the dashboard shows days and times.
 */
export function clinicRoutes(deps: ClinicRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/', async (c) => {
      const { timeZone } = await readClinicCompliance(deps.em());
      return c.json({ timeZone }, 200);
    });
}
