import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageClass } from '../common/compliance.ts';
import { createSendRun, type NewSendRun } from '../db/send-runs.store.ts';

/**
 * A send run (the campaigns send path) to one customer from one staff member: an appointment
 * reminder (care) or a journey step (marketing). Idempotent by `launchKey` (minted by the
 * workflow): a retry finds the run, and the recipient row is unique per run. The caller's
 * workflow then starts sendRunWorkflow, which screens consent/caps and submits the 群发 task.
 * With `orAnyFollower`, a `sender` who does not follow the customer (a doctor booked for the
 * appointment, say) gives way to the staff member who has followed them longest.
 */
export async function createSingleRecipientRun(em: EntityManager, input: {
  kind: NewSendRun['kind']; messageClass: MessageClass; text: string; launchKey: string; customerId: number; externalUserId: string; sender: string; orAnyFollower?: boolean;
}): Promise<number> {
  const runId = await createSendRun(em, { kind: input.kind, messageClass: input.messageClass, content: { text: input.text }, launchKey: input.launchKey });
  // The sender must still follow the customer: no active relationship leaves sender null, which the gate skips as no_relationship.
  await em.getConnection().execute(
    `insert into send_recipients (run_id, customer_id, external_userid, sender, state)
     select ?, ?, ?, (select f.staff_userid from wework_customer_follows f where f.customer_id = ? and f.status = 'active' and (f.staff_userid = ? or ?)
                       order by f.staff_userid = ? desc, f.followed_at nulls last, f.id limit 1), 'pending'
     on conflict (run_id, external_userid) do nothing`,
    [runId, input.customerId, input.externalUserId, input.customerId, input.sender, input.orAnyFollower ?? false, input.sender]);
  return runId;
}
