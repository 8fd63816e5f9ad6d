import type { MikroORM } from '../../db/orm.ts';
import type { RunningSimulator } from '../../sim/simulator.ts';

/**
 * Copies the simulator's customers and relationships into the product's tables, as a finished
 * customer sync would leave them (sync itself is tested elsewhere; this keeps campaign tests fast).
 */
export async function mirrorSimCustomers(orm: MikroORM, sim: RunningSimulator): Promise<number> {
  const conn = orm.em.getConnection();
  const customers = [...sim.state.customers.values()].map((c) => ({ id: c.external_userid, name: c.name, birthday: c.birthday ?? null }));
  const follows: Array<{ id: string; userid: string; state: string; at: number }> = [];
  for (const [id, byUser] of sim.state.followsByCustomer) {
    for (const f of byUser.values()) if (!f.deleted) follows.push({ id, userid: f.userid, state: f.state, at: f.createtime });
  }
  for (let i = 0; i < customers.length; i += 5000) {
    await conn.execute(
      `insert into wework_customers (created_at, updated_at, external_userid, name, gender, added_at)
       select now(), now(), x.id, x.name, 0, now() from jsonb_to_recordset(?::jsonb) as x(id text, name text)
       on conflict (external_userid) do nothing`, [JSON.stringify(customers.slice(i, i + 5000))]);
  }
  for (let i = 0; i < follows.length; i += 5000) {
    await conn.execute(
      `insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, state, followed_at, status, wecom_tag_ids)
       select now(), now(), c.id, x.userid, nullif(x.state, ''), to_timestamp(x.at), 'active', '[]'
         from jsonb_to_recordset(?::jsonb) as x(id text, userid text, state text, at bigint) join wework_customers c on c.external_userid = x.id
       on conflict do nothing`, [JSON.stringify(follows.slice(i, i + 5000))]);
  }
  return customers.length;
}

/**
 * Live (not cancelled) tasks created after `before` (msgids that existed earlier), per sender:
 * external_userid → how many live tasks include it.
 */
export function liveTaskCoverage(sim: RunningSimulator, before: ReadonlySet<string>): Map<string, Map<string, number>> {
  const coverage = new Map<string, Map<string, number>>();
  for (const msg of sim.state.groupMsgs.values()) {
    if (msg.canceled || before.has(msg.msgid)) continue;
    for (const task of msg.tasks) {
      let bySender = coverage.get(task.userid);
      if (!bySender) coverage.set(task.userid, (bySender = new Map()));
      for (const id of task.external_userids) bySender.set(id, (bySender.get(id) ?? 0) + 1);
    }
  }
  return coverage;
}
