import type { EntityManager } from '@mikro-orm/postgresql';
import type { Connection } from './customers.store.ts';
import { lockUntilCommit, statementsOf } from './transaction.ts';

/**
 * How fast the product sends one staff member app messages. WeCom lets one app send a member 30
 * a minute and 1,000 an hour and silently drops the rest (doc 90312), so a launch event's
 * thousands of new customers at one staff member would otherwise reach them as 30 notices and
 * nothing else. Single notices go out while the member is under the single pace; past it they
 * queue and are carried by a digest, which has slots of its own up to a margin under WeCom's limit.
 */
export const NOTICE_PACE = {
  singlesPerMinute: 20,
  singlesPerHour: 600,
  /** Every app message to one member (singles and digests); a margin under WeCom's 30 and 1,000. */
  allPerMinute: 28,
  allPerHour: 950,
  /** A digest's text stays under message/send's 2,048 bytes. */
  digestBytes: 1_900,
} as const;

/** The lock that serialises every pacing decision about one member's app messages (staff_notice_pace() takes the same). */
const memberLock = (staffUserid: string) => `staff-notice:${staffUserid}`;

interface Window { minute: string; hour: string; minute_frees_in_s: number | null; hour_frees_in_s: number | null }

/** What to do with one staff notice's row. */
export type NoticePace =
  | { kind: 'send' }
  /** Queued for a digest; `wake` when no digest was already due to carry it (the digest workflow must be woken). */
  | { kind: 'queued'; wake: boolean }
  | { kind: 'done' };

/**
 * Decides, under the member's lock, whether the notice of row `id` may go out now (it takes a send
 * slot) or waits for the member's next digest. Idempotent: a retry finds the slot its earlier
 * attempt took, or the row queued or already carried.
 */
export async function paceNotice(connection: Connection, input: { id: number; staffUserid: string }): Promise<NoticePace> {
  // One statement: the function (migration 20261220010100) holds the member's lock only while it runs in the server.
  const [row] = await connection.execute<Array<{ pace: 'send' | 'queued' | 'queued_wake' | 'done' }>>(
    'select staff_notice_pace(?, ?, ?, ?, ?, ?) as pace',
    [input.id, input.staffUserid, NOTICE_PACE.singlesPerMinute, NOTICE_PACE.singlesPerHour, NOTICE_PACE.allPerMinute, NOTICE_PACE.allPerHour], 'all');
  switch (row!.pace) {
    case 'send': return { kind: 'send' };
    case 'done': return { kind: 'done' };
    default: return { kind: 'queued', wake: row!.pace === 'queued_wake' };
  }
}

/**
 * The order a digest lists its notices in: appointment reminders and churn alerts (customer-lost
 * workflow, `lost:` keys) before the new-customer notices a burst piles up, which the closing
 * "另有 N 条" line may then count instead of list.
 */
const DIGEST_ORDER = `order by (send_key like 'appointment:%' or send_key like 'lost:%') desc, id`;

/** A digest about to be sent: its row, its text and how many queued notices it carries. */
export interface DigestToSend { id: number; text: string; carried: number }

/**
 * Takes the member's next digest: the one an earlier attempt wrote and did not settle, or a new
 * one carrying every notice waiting for it, when the member has a slot. Returns `waitMs` when the
 * member has none yet, and null when nothing waits.
 */
export async function takeDigest(em: EntityManager, input: { staffUserid: string; compose: (texts: string[]) => string }): Promise<DigestToSend | { waitMs: number } | null> {
  return em.transactional(async (tem) => {
    const q = statementsOf(tem);
    await lockUntilCommit(tem, memberLock(input.staffUserid));
    // A digest keeps no text of its own: the names it lists stay in the notices' rows, which a
    // customer's erasure deletes. A retry composes the same text again from the same rows.
    const [unsettled] = await q<Array<{ id: number }>>(
      `select id from wework_messages where staff_userid = ? and send_key like 'notice-digest:%' and status = 'pending' order by id limit 1`, [input.staffUserid]);
    if (unsettled) {
      const carried = await q<Array<{ id: number; content: { text: string } }>>(`select id, content from wework_messages where digest_id = ? ${DIGEST_ORDER}`, [unsettled.id]);
      if (carried.length > 0) return { id: unsettled.id, text: input.compose(carried.map((row) => row.content.text)), carried: carried.length };
      // Every customer it carried was erased meanwhile: nothing is left to tell.
      await q(`update wework_messages set status = 'skipped', updated_at = now() where id = ?`, [unsettled.id]);
    }
    const queued = await q<Array<{ id: number; content: { text: string } }>>(
      `select id, content from wework_messages where staff_userid = ? and status = 'queued' and digest_id is null ${DIGEST_ORDER}`, [input.staffUserid]);
    if (queued.length === 0) return null;
    const [window] = await q<Window[]>('select * from staff_notice_window(?)', [input.staffUserid]);
    if (Number(window!.minute) >= NOTICE_PACE.allPerMinute || Number(window!.hour) >= NOTICE_PACE.allPerHour) {
      const seconds = Number(window!.hour) >= NOTICE_PACE.allPerHour ? window!.hour_frees_in_s : window!.minute_frees_in_s;
      return { waitMs: Math.max(1_000, Math.ceil(Number(seconds ?? 1) * 1_000)) };
    }
    const text = input.compose(queued.map((row) => row.content.text));
    const firstId = Math.min(...queued.map((row) => row.id));
    const [digest] = await q<Array<{ id: number }>>(
      `insert into wework_messages (created_at, updated_at, send_key, kind, external_userid, staff_userid, msgtype, content, status, slot_at)
       values (now(), now(), ?, 'staff_notification', null, ?, 'text', ?, 'pending', clock_timestamp()) returning id`,
      [`notice-digest:${input.staffUserid}:${firstId}`, input.staffUserid, JSON.stringify({ digestOf: queued.length })]);
    await q('update wework_messages set digest_id = ?, updated_at = now() where id in (select jsonb_array_elements_text(?::jsonb)::int)', [digest!.id, JSON.stringify(queued.map((row) => row.id))]);
    return { id: digest!.id, text, carried: queued.length };
  });
}

/** Settles a digest and every notice it carried: sent, or failed with WeCom's reason. */
export async function settleDigest(connection: Connection, input: { id: number; outcome: 'sent' | 'failed'; errorMsg?: string }): Promise<void> {
  const status = input.outcome;
  await connection.execute(`update wework_messages set status = ?, sent_at = case when ? = 'sent' then now() else sent_at end, error_msg = ?, updated_at = now()
                              where id = ? or digest_id = ?`, [status, status, input.errorMsg ?? null, input.id, input.id], 'run');
}

/** True while notices of the member wait for a digest that has not taken them yet. */
export async function noticesWaiting(connection: Pick<Connection, 'execute'>, staffUserid: string): Promise<boolean> {
  const [row] = await connection.execute<Array<{ n: string }>>(
    `select count(*) as n from wework_messages where staff_userid = ? and status = 'queued' and digest_id is null`, [staffUserid], 'all');
  return Number(row!.n) > 0;
}
