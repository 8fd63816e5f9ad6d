import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimSendRow } from '../../db/messages.store.ts';
import { NOTICE_PACE, paceNotice, takeDigest } from '../../db/staff-notices.store.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

/**
 * The pacing decisions of db/staff-notices.store.ts against PostgreSQL: who goes out alone, who
 * waits for a digest, and who wakes the member's digest workflow (a waiting notice nobody wakes
 * for would wait for ever).
 */
let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db.drop(); });

const connection = () => db.orm.em.getConnection();
const em = () => db.orm.em.fork();
/** One notice to `staff`, claimed as sendStaffNotice claims it, then paced. */
async function notice(staff: string, n: number) {
  const row = await claimSendRow(connection(), { sendKey: `test-notice:${staff}:${n}`, kind: 'staff_notification', externalUserid: null, staffUserid: staff, text: `通知 ${n}` });
  return { id: row.id, pace: await paceNotice(connection(), { id: row.id, staffUserid: staff }) };
}

describe('staff notice pacing', () => {
  it('sends singles up to the pace, then queues; the first queued wakes the digest, and so does its retry after a failed wake', async () => {
    const singles = await Promise.all(Array.from({ length: NOTICE_PACE.singlesPerMinute + 5 }, (_, n) => notice('wangwu', n)));
    // Concurrent decisions under the member's lock: exactly the pace goes out alone.
    expect(singles.filter((s) => s.pace.kind === 'send')).toHaveLength(NOTICE_PACE.singlesPerMinute);
    const queued = singles.filter((s) => s.pace.kind === 'queued').sort((a, b) => a.id - b.id);
    expect(queued).toHaveLength(5);
    // A wake among them, by whoever was queued with nobody older waiting (more than one when ids and queueing interleave).
    expect(queued.filter((s) => s.pace.kind === 'queued' && s.pace.wake).length).toBeGreaterThanOrEqual(1);
    // The oldest waiting notice's retry (its wake failed: Temporal away) wakes again; a younger one's does not.
    expect(await paceNotice(connection(), { id: queued[0]!.id, staffUserid: 'wangwu' })).toEqual({ kind: 'queued', wake: true });
    expect(await paceNotice(connection(), { id: queued[4]!.id, staffUserid: 'wangwu' })).toEqual({ kind: 'queued', wake: false });
    // A retry of a single that took its slot sends (WeCom's duplicate check drops a resend).
    const sent = singles.find((s) => s.pace.kind === 'send')!;
    expect(await paceNotice(connection(), { id: sent.id, staffUserid: 'wangwu' })).toEqual({ kind: 'send' });
    // Another member has a pace of their own.
    expect((await notice('zhaoliu', 1)).pace).toEqual({ kind: 'send' });
  });

  it('lets a digest carry every waiting notice; the next notice, queued behind none, wakes the digest again', async () => {
    const digest = await takeDigest(em(), { staffUserid: 'wangwu', compose: (texts) => texts.join('|') });
    expect(digest).toMatchObject({ carried: 5 });
    expect((digest as { text: string }).text.split('|')).toHaveLength(5);
    // A notice now is still past the singles' pace: it waits, first in the queue, so it wakes the digest.
    expect((await notice('wangwu', 99)).pace).toEqual({ kind: 'queued', wake: true });
    // Appointment reminders and churn alerts are listed before new-customer notices.
    for (const key of ['notify:late-1', 'lost:late-2', 'appointment:late-3']) {
      const row = await claimSendRow(connection(), { sendKey: key, kind: 'staff_notification', externalUserid: null, staffUserid: 'sunqi', text: key });
      await connection().execute(`update wework_messages set status = 'queued' where id = ?`, [row.id]);
    }
    const ordered = await takeDigest(em(), { staffUserid: 'sunqi', compose: (texts) => texts.join('|') });
    expect(ordered).toMatchObject({ text: 'lost:late-2|appointment:late-3|notify:late-1', carried: 3 });
    // The unsettled digest comes back to a retry, with the same text.
    const again = await takeDigest(em(), { staffUserid: 'wangwu', compose: (texts) => texts.join('|') });
    expect(again).toEqual(digest);
  });
});
