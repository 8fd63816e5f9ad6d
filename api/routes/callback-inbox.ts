import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DeadLetterList } from '../../common/callback-inbox.schema.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import type { CallbackInbox } from '../wework/callback-inbox.ts';

/** What the inbox's admin routes need. */
export interface CallbackInboxRouteDeps {
  em: () => EntityManager;
  callbackInbox?: CallbackInbox;
}

/**
 * `GET /api/wework/inbox/dead-letters` and `POST …/:id/retry` (admins): the callback events that
 * can never start, with the reason, and a way to queue one again once its cause is fixed.
 */
export function callbackInboxRoutes(deps: CallbackInboxRouteDeps) {
  const inbox = () => {
    if (!deps.callbackInbox) throw new AppError(503, 'inbox_unavailable', 'This API process has no callback inbox.');
    return deps.callbackInbox;
  };
  return new Hono<AuthEnv>()
    .get('/dead-letters', requirePermission('callbacks.manage'), async (c) => {
      const body: DeadLetterList = { items: await inbox().store.listDead() };
      return c.json(body, 200);
    })
    .post('/dead-letters/:id/retry', requirePermission('callbacks.manage'), async (c) => {
      const id = c.req.param('id');
      if (!/^\d{1,18}$/.test(id) || !(await inbox().store.retryDead(id))) throw new AppError(404, 'dead_letter_not_found', `No dead letter ${id}.`);
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'callback.retry', target: { type: 'callback_inbox', id }, details: {}, ip: clientInfo(c).ip,
      });
      return c.json({ retried: true }, 202);
    });
}
