import pg from 'pg';
import type { DeadLetterView } from '../common/callback-inbox.schema.ts';

/** One delivery to record: the log row always, the inbox row when a workflow handles the event. */
export interface InboxDelivery {
  dedupeKey: string;
  eventType: string;
  changeType: string | null;
  externalUserid: string | null;
  userId: string | null;
  state: string | null;
  rawXml: string;
  /** The workflow the event starts; null for events the product only logs. */
  workflowId: string | null;
  /** 0 goes first (add events), 1 after. */
  priority: number;
  /** The event's CreateTime (epoch seconds), when it has one: add events are claimed newest first by it. */
  createTime: number | null;
}

/** What became of one delivery of a batch. */
export interface InboxWriteResult {
  /** `accepted` for the first delivery of an event, `duplicate` for WeCom's redeliveries. */
  outcome: 'accepted' | 'duplicate';
  /** The inbox row, when a workflow handles the event. */
  inboxId: string | null;
}

/** A pending inbox row a relay claimed. */
export interface ClaimedInboxRow {
  id: string;
  rawXml: string;
  attempts: number;
}

/** The inbox's backlog, for /api/health. */
export interface InboxBacklog {
  pending: number;
  oldestPendingAgeSeconds: number | null;
  dead: number;
}

/** An inbox row that can never start, as admins see it. */
export type DeadLetter = DeadLetterView;

/** The channel relays LISTEN on: rows that any relay may claim now. */
export const INBOX_CHANNEL = 'wework_callback_inbox';

const LOG_NOTE_UNHANDLED = 'no workflow handles this event; logged only';

/**
 * The callback inbox in plain SQL on a small pg pool of its own: the hot path of the callback
 * endpoint writes many rows per statement (group commit) with bound parameters, which the ORM's
 * inlined-parameter `execute` does not do, and a burst of callbacks never starves the dashboard's pool.
 */
export class CallbackInboxStore {
  readonly pool: pg.Pool;

  /** `databaseUrl` is the product's PostgreSQL; statements give up after `statementTimeoutMs` so WeCom gets a 503 in time. */
  constructor(databaseUrl: string, options: { max?: number; statementTimeoutMs?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: options.max ?? 5,
      connectionTimeoutMillis: 2_000,
      query_timeout: options.statementTimeoutMs ?? 3_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server (PostgreSQL restarted) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  /**
   * Records a batch of deliveries in one statement (one commit): inbox rows upserted by dedupe key
   * (a redelivery raises `deliveries`), one log row per delivery. New inbox rows are leased to this
   * process for `leaseSeconds` when it dispatches them itself (0: any relay may take them at once,
   * and relays are told so).
   */
  async write(deliveries: readonly InboxDelivery[], leaseSeconds: number): Promise<InboxWriteResult[]> {
    const values: string[] = [];
    const params: unknown[] = [];
    deliveries.forEach((d, ord) => {
      const base = params.length;
      params.push(ord, d.dedupeKey, d.eventType, d.changeType, d.externalUserid, d.userId, d.state, d.rawXml, d.workflowId, d.priority, d.createTime);
      values.push(`(${Array.from({ length: 11 }, (_, i) => `$${base + i + 1}`).join(', ')})`);
    });
    params.push(leaseSeconds);
    const leaseParam = `$${params.length}`;
    // Rows nobody dispatches at once are for the relays: wake them (sent on commit, once per statement).
    const notify = leaseSeconds <= 0 ? ` cross join (select pg_notify('${INBOX_CHANNEL}', '')) as notified` : '';
    const rows = (await this.pool.query<{ ord: number; inbox_id: string | null; fresh: boolean | null }>(`
      with d (ord, dedupe_key, event_type, change_type, external_userid, user_id, state, raw_xml, workflow_id, priority, create_time) as (
        select cast(v.ord as int), v.dedupe_key, v.event_type, v.change_type, v.external_userid, v.user_id, v.state, v.raw_xml, v.workflow_id, cast(v.priority as smallint),
               to_timestamp(cast(v.create_time as bigint))
        from (values ${values.join(', ')}) as v (ord, dedupe_key, event_type, change_type, external_userid, user_id, state, raw_xml, workflow_id, priority, create_time)
      ),
      firsts as (
        select distinct on (dedupe_key) ord, dedupe_key, event_type, workflow_id, priority, raw_xml, create_time from d where workflow_id is not null order by dedupe_key, ord
      ),
      counts as (select dedupe_key, count(*)::int as n from d where workflow_id is not null group by dedupe_key),
      ins as (
        insert into wework_callback_inbox (dedupe_key, event_kind, workflow_id, priority, raw_xml, event_created_at, deliveries, lease_until)
        select f.dedupe_key, f.event_type, f.workflow_id, f.priority, f.raw_xml, f.create_time, c.n,
               case when cast(${leaseParam} as int) > 0 then now() + make_interval(secs => cast(${leaseParam} as int)) end
        from firsts f join counts c using (dedupe_key)
        on conflict (dedupe_key) do update set deliveries = wework_callback_inbox.deliveries + excluded.deliveries, updated_at = now()
        returning id, dedupe_key, (xmax = 0) as inserted
      ),
      results as (
        select d.*, i.id as inbox_id, (i.inserted and d.ord = f.ord) as fresh
        from d left join ins i using (dedupe_key) left join firsts f using (dedupe_key)
      ),
      logs as (
        insert into wework_callback_logs (created_at, updated_at, event_type, change_type, external_userid, user_id, state, dedupe_key, raw_data, outcome, error, workflow_id, processed)
        select now(), now(), r.event_type, r.change_type, r.external_userid, r.user_id, r.state, r.dedupe_key, r.raw_xml,
               case when r.workflow_id is null or r.fresh then 'accepted' else 'duplicate' end,
               case when r.workflow_id is null then '${LOG_NOTE_UNHANDLED}' end,
               r.workflow_id,
               -- A redelivery has no work of its own: the accepted delivery's row tracks the event.
               r.workflow_id is not null and not r.fresh
        from results r
        returning 1
      )
      select ord, inbox_id, fresh from results${notify} order by ord`, params)).rows;
    return rows.map((row) => ({
      outcome: row.inbox_id === null || row.fresh ? 'accepted' : 'duplicate',
      inboxId: row.fresh ? row.inbox_id : null,
    }));
  }

  /**
   * Claims up to `limit` pending rows whose lease has run out, and leases them for `leaseSeconds`,
   * returned in this order:
   * add events first, the newest of them (by CreateTime) first — after an outage the backlog's oldest WelcomeCodes
   * are dead already, and the newest are the ones still worth greeting — then the other events in
   * order; at most `addLimit` add events (the admission window's room). One short statement: the
   * claim commits before any workflow is started, and SKIP LOCKED lets any number of relays claim side by side.
   */
  async claim(limit: number, leaseSeconds: number, addLimit = limit): Promise<ClaimedInboxRow[]> {
    const { rows } = await this.pool.query<{ id: string; raw_xml: string; attempts: number; priority: number; created: number }>(`
      with adds as (
        select id from wework_callback_inbox
        where status = 'pending' and priority = 0 and (lease_until is null or lease_until < now())
        order by event_created_at desc nulls last, id desc limit least(cast($1 as int), cast($3 as int)) for update skip locked
      ), others as (
        select id from wework_callback_inbox
        where status = 'pending' and priority > 0 and (lease_until is null or lease_until < now())
        order by priority, id limit ($1 - (select count(*) from adds)) for update skip locked
      )
      update wework_callback_inbox set lease_until = now() + make_interval(secs => $2), attempts = attempts + 1, updated_at = now()
      where id in (select id from adds union all select id from others)
      returning id, raw_xml, attempts, priority, coalesce(extract(epoch from event_created_at), 0)::float8 as created`, [limit, leaseSeconds, addLimit]);
    // RETURNING has no order: give the rows back in the order they were chosen.
    rows.sort((a, b) => a.priority - b.priority
      || (a.priority === 0 ? b.created - a.created || Number(b.id) - Number(a.id) : Number(a.id) - Number(b.id)));
    return rows.map((row) => ({ id: row.id, rawXml: row.raw_xml, attempts: row.attempts }));
  }

  /**
   * Add events admitted but not yet greeted, across every API process: rows leased for a start,
   * and rows started in the last `horizonSeconds` whose welcome row is not settled (sent, skipped)
   * and whose onboarding has not finished (an add without a WelcomeCode writes no welcome row).
   * Past the horizon a row no longer counts, so a stopped worker cannot hold admissions forever.
   */
  async ungreetedAdds(horizonSeconds: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`select count(*)::int as n from wework_callback_inbox i
      where i.priority = 0 and (
        (i.status = 'pending' and i.lease_until > now())
        or (i.status = 'dispatched' and i.dispatched_at > now() - make_interval(secs => $1)
          and not exists (select 1 from wework_messages m where m.send_key = 'welcome:' || i.dedupe_key and m.status <> 'pending')
          and exists (select 1 from wework_callback_logs l where l.workflow_id = i.workflow_id and l.processed = false)))`, [horizonSeconds]);
    return rows[0]!.n;
  }

  /** Marks rows whose workflow is started (or was already). */
  async markDispatched(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(`update wework_callback_inbox set status = 'dispatched', dispatched_at = now(), lease_until = null, last_error = null, updated_at = now()
      where id = any($1::bigint[]) and status = 'pending'`, [ids]);
  }

  /** Gives rows back to the relays (this process could not start them) and wakes the relays. */
  async release(ids: readonly string[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(`with released as (
        update wework_callback_inbox set lease_until = null, last_error = $2, updated_at = now() where id = any($1::bigint[]) and status = 'pending' returning 1
      ) select pg_notify('${INBOX_CHANNEL}', '') from (select count(*) from released) n`, [ids, error]);
  }

  /** A row that can never start (Temporal refused its arguments) leaves the queue with its reason. */
  async markDead(id: string, reason: string): Promise<void> {
    await this.pool.query(`update wework_callback_inbox set status = 'dead', lease_until = null, last_error = $2, updated_at = now() where id = $1 and status = 'pending'`, [id, reason]);
  }

  /** The dead letters, newest first: what they were and why they cannot start (no event content). */
  async listDead(limit = 100): Promise<DeadLetter[]> {
    const { rows } = await this.pool.query<{ id: string; dedupe_key: string; event_kind: string; workflow_id: string; deliveries: number; attempts: number; last_error: string | null; created_at: Date; updated_at: Date }>(
      `select id, dedupe_key, event_kind, workflow_id, deliveries, attempts, last_error, created_at, updated_at
       from wework_callback_inbox where status = 'dead' order by updated_at desc limit $1`, [limit]);
    return rows.map((row) => ({
      id: row.id, dedupeKey: row.dedupe_key, eventKind: row.event_kind, workflowId: row.workflow_id, deliveries: row.deliveries,
      attempts: row.attempts, reason: row.last_error, receivedAt: row.created_at.toISOString(), deadSince: row.updated_at.toISOString(),
    }));
  }

  /** Puts a dead row back in the queue (an admin fixed the cause). */
  async retryDead(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`with revived as (
        update wework_callback_inbox set status = 'pending', lease_until = null, updated_at = now() where id = $1 and status = 'dead' returning 1
      ) select pg_notify('${INBOX_CHANNEL}', '') from revived`, [id]);
    return (rowCount ?? 0) > 0;
  }

  /** Deletes dispatched rows older than `retentionSeconds`, a bounded batch at a time. */
  async prune(retentionSeconds: number, batch = 5_000): Promise<number> {
    const { rowCount } = await this.pool.query(`delete from wework_callback_inbox where id in (
        select id from wework_callback_inbox where status = 'dispatched' and dispatched_at < now() - make_interval(secs => $1) limit $2
      )`, [retentionSeconds, batch]);
    return rowCount ?? 0;
  }

  /** Pending rows, the age of the oldest, and dead rows. */
  async backlog(): Promise<InboxBacklog> {
    const { rows } = await this.pool.query<{ pending: string; oldest: string | null; dead: string }>(`select
        count(*) filter (where status = 'pending') as pending,
        extract(epoch from now() - min(created_at) filter (where status = 'pending')) as oldest,
        count(*) filter (where status = 'dead') as dead
      from wework_callback_inbox where status <> 'dispatched'`);
    const row = rows[0]!;
    return { pending: Number(row.pending), oldestPendingAgeSeconds: row.oldest === null ? null : Math.round(Number(row.oldest)), dead: Number(row.dead) };
  }

  /** Adds refused-request counts, keyed by reason and (UTC) day. */
  async addRejections(counts: ReadonlyMap<string, number>, day: string): Promise<void> {
    if (counts.size === 0) return;
    const reasons = [...counts.keys()];
    await this.pool.query(`insert into wework_callback_rejections (day, reason, count, last_at)
      select cast($1 as date), r, n, now() from unnest($2::text[], $3::bigint[]) as u (r, n)
      on conflict (day, reason) do update set count = wework_callback_rejections.count + excluded.count, last_at = now()`,
    [day, reasons, reasons.map((r) => counts.get(r)!)]);
  }

  /**
   * LISTENs on INBOX_CHANNEL on a connection of its own; `onNotify` runs per notification and
   * `onLost` once when the connection breaks (the caller listens again later).
   */
  async listen(onNotify: () => void, onLost: (error: Error) => void): Promise<{ close(): Promise<void> }> {
    const client = await this.pool.connect();
    let lost = false;
    const lose = (error: Error) => {
      if (lost) return;
      lost = true;
      client.release(error);
      onLost(error);
    };
    client.on('notification', () => onNotify());
    client.on('error', lose);
    try {
      await client.query(`listen ${INBOX_CHANNEL}`);
    } catch (error) {
      if (!lost) {
        lost = true;
        client.release(error as Error);
      }
      throw error;
    }
    return {
      async close() {
        if (lost) return;
        lost = true;
        client.removeAllListeners('notification');
        // Destroy rather than return it: a pooled connection must not keep listening.
        client.release(true);
      },
    };
  }

  /** Closes the pool. */
  async close(): Promise<void> {
    await this.pool.end();
  }
}
