import { addDays, monthDaysCelebratedOn } from '../common/clinic-time.ts';
import { readClinicCompliance } from '../db/compliance.store.ts';
import { AutomationSettings } from '../db/entities/index.ts';
import { createSendRun } from '../db/send-runs.store.ts';
import { statementsOf } from '../db/transaction.ts';
import type { ActivityDeps } from './deps.ts';
import { sendStaffNotice } from './staff-notice.ts';

/** The settings a day's greetings run with (read once per run, so a change applies from the next day). */
export interface BirthdaySettings { timeZone: string; daysBefore: number; hour: number; text: string }

/**
 * The birthdays a day's claim covers: every date from `date` to `daysBefore` days later, each
 * with the month-days celebrated on it (month * 100 + day, as the claim's index expression has
 * them). A window of at most 61 days holds each month-day once.
 */
function claimWindow(date: string, daysBefore: number): Array<{ md: number; birthdayOn: string }> {
  const window: Array<{ md: number; birthdayOn: string }> = [];
  for (let offset = 0; offset <= daysBefore; offset += 1) {
    const birthdayOn = addDays(date, offset);
    for (const md of monthDaysCelebratedOn(birthdayOn)) window.push({ md: Number(md.slice(0, 2)) * 100 + Number(md.slice(3)), birthdayOn });
  }
  return window;
}

/** Activities of the birthday engine; each is idempotent (keyed on the greeting row). */
export function createBirthdayActivities(deps: ActivityDeps) {
  return {
    /** The clinic's birthday settings. */
    async loadBirthdaySettings(): Promise<BirthdaySettings> {
      const em = deps.orm.em.fork();
      const settings = await em.findOneOrFail(AutomationSettings, { id: 1 });
      const { timeZone } = await readClinicCompliance(em);
      return { timeZone, daysBefore: settings.birthdayDaysBefore, hour: settings.birthdayHour, text: settings.birthdayText };
    },

    /**
     * Claims the greetings of clinic-local day `date`: every customer with an active relationship
     * whose birthday falls from `date` to `daysBefore` days later (29 Feb → 28 Feb in a common
     * year) and who has no greeting for that birthday's year yet gets one row, with a fresh
     * single-use coupon code. Normally only the last day of that window is new; the rest catches
     * what a single day would miss: the birthdays skipped when the lead time grows (3 → 7 days),
     * and customers imported or given a birthday after their day was claimed. INSERT … SELECT
     * with ON CONFLICT DO NOTHING on (customer, year): a day run twice, or two days whose windows
     * overlap, still greets once a year. Returns counts only.
     */
    async claimBirthdayGreetings(input: { date: string; daysBefore: number; late: boolean }): Promise<{ birthdayOn: string; claimed: number; pending: number }> {
      const birthdayOn = addDays(input.date, input.daysBefore);
      const window = claimWindow(input.date, input.daysBefore);
      const connection = deps.orm.em.fork().getConnection();
      // The VALUES join gives each customer their birthday's date; the IN list repeats its
      // month-days as constants so the month-day index can still find the customers, as it did
      // when the claim took one date.
      const inserted = await connection.execute<Array<{ id: number }>>(
        `insert into birthday_greetings (created_at, updated_at, customer_id, year, birthday_on, send_on, staff_userid, coupon_code, late)
         select now(), now(), c.id, extract(year from w.birthday_on)::int, w.birthday_on, ?::date, f.staff_userid, 'BD' || upper(substr(md5(random()::text || c.id::text), 1, 10)), ?
           from wework_customers c
           join (values ${window.map(() => '(?::int, ?::date)').join(', ')}) w(md, birthday_on)
             on w.md = extract(month from c.birthday) * 100 + extract(day from c.birthday)
           join lateral (select f.staff_userid from wework_customer_follows f where f.customer_id = c.id and f.status = 'active'
                          order by f.followed_at nulls last, f.id limit 1) f on true
          where c.birthday is not null and not c.lost
            and (extract(month from c.birthday) * 100 + extract(day from c.birthday)) in (${window.map(() => '?').join(', ')})
         on conflict (customer_id, year) do nothing
         returning id`,
        [input.date, input.late, ...window.flatMap((w) => [w.md, w.birthdayOn]), ...window.map((w) => w.md)]);
      const [pending] = await connection.execute<Array<{ n: string }>>(
        `select count(*) as n from birthday_greetings where send_on = ? and status = 'claimed'`, [input.date]);
      return { birthdayOn, claimed: inserted.length, pending: Number(pending?.n ?? 0) };
    },

    /**
     * Hands the claimed greetings of `date` to the send path as one run (kind 'birthday', class
     * marketing): one 群发 task per follow-up staff member, batched by the send path, consent and
     * caps screened there. Before that, a greeting whose customer was lost since the claim is
     * skipped, and one whose birthday changed is released for its new date. Idempotent by
     * `launchKey`: a retry finds the run and queues nothing twice. Returns the run and counts.
     */
    async queueBirthdayGreetings(input: { date: string; text: string; launchKey: string }): Promise<{ runId: number | null; queued: number; skipped: number; moved: number }> {
      return deps.orm.em.fork().transactional(async (em) => {
        const connection = { execute: statementsOf(em) };
        // One queueing of a day at a time: an operator's run of a day beside the Schedule's would
        // otherwise both read its claimed greetings before either marked them queued (two sends).
        await connection.execute(`select pg_advisory_xact_lock(hashtext('birthday-queue:' || ?))`, [input.date]);
        // Still the customer's birthday? (29 Feb greeted on 28 Feb of a common year, as claimed.)
        const moved = await connection.execute<Array<{ id: number }>>(
          `delete from birthday_greetings g using wework_customers c
            where c.id = g.customer_id and g.send_on = ? and g.status = 'claimed'
              and not (c.birthday is not null and (to_char(c.birthday, 'MM-DD') = to_char(g.birthday_on, 'MM-DD')
                or (to_char(c.birthday, 'MM-DD') = '02-29' and to_char(g.birthday_on, 'MM-DD') = '02-28'
                    and g.birthday_on + 1 = make_date(extract(year from g.birthday_on)::int, 3, 1))))
           returning g.id`, [input.date]);
        const skipped = await connection.execute<Array<{ id: number }>>(
          `update birthday_greetings g set status = 'skipped', skip_reason = 'lost', updated_at = now()
             from wework_customers c where c.id = g.customer_id and g.send_on = ? and g.status = 'claimed' and c.lost returning g.id`, [input.date]);
        const [claimed] = await connection.execute<Array<{ n: string }>>(`select count(*) as n from birthday_greetings where send_on = ? and status = 'claimed'`, [input.date]);
        if (Number(claimed?.n ?? 0) === 0) {
          // Nothing new, or a retry after this ran: the run it created (if any) is still the one to start.
          const [existing] = await connection.execute<Array<{ id: number }>>('select id from send_runs where workflow_id = ?', [input.launchKey]);
          return { runId: existing?.id ?? null, queued: 0, skipped: skipped.length, moved: moved.length };
        }
        const runId = await createSendRun(em, { kind: 'birthday', messageClass: 'marketing', content: { text: input.text }, launchKey: input.launchKey });
        await connection.execute(
          `insert into send_recipients (run_id, customer_id, external_userid, sender, state)
           select ?, c.id, c.external_userid,
                  (select f.staff_userid from wework_customer_follows f where f.customer_id = c.id and f.status = 'active' order by f.followed_at nulls last, f.id limit 1),
                  'pending'
             from birthday_greetings g join wework_customers c on c.id = g.customer_id
            where g.send_on = ? and g.status = 'claimed'
           on conflict (run_id, external_userid) do nothing`, [runId, input.date]);
        const queued = await connection.execute<Array<{ id: number }>>(
          `update birthday_greetings set status = 'queued', send_run_id = ?, queued_at = now(), updated_at = now() where send_on = ? and status = 'claimed' returning id`,
          [runId, input.date]);
        return { runId, queued: queued.length, skipped: skipped.length, moved: moved.length };
      });
    },

    /**
     * Clinic-local days before `date` (at most `lookBackDays` back) that no run has done, oldest
     * first. Only days after the engine's first recorded day count (a fresh install catches up
     * nothing), and only days whose birthdays (`daysBefore` later) are still ahead on `date`: a
     * greeting after the birthday would be no greeting.
     */
    async birthdayDaysMissed(input: { date: string; lookBackDays: number; daysBefore: number }): Promise<string[]> {
      const rows = await deps.orm.em.fork().getConnection().execute<Array<{ day: string }>>(
        `select to_char(d, 'YYYY-MM-DD') as day
           from generate_series(greatest(?::date - ?::int, (select min(day) + 1 from birthday_days)), ?::date - 1, interval '1 day') d
          where not exists (select 1 from birthday_days b where b.day = d::date)
            and d::date + ?::int >= ?::date
            and exists (select 1 from birthday_days)
          order by d`,
        [input.date, input.lookBackDays, input.date, input.daysBefore, input.date]);
      return rows.map((row) => row.day);
    },

    /** Records that a day ran (upsert: an operator's re-run of a day keeps its first catch-up note). */
    async recordBirthdayDay(input: { date: string; late: boolean; caughtUpOn: string | null; claimed: number; queued: number; runId: number | null }): Promise<void> {
      await deps.orm.em.fork().getConnection().execute(
        `insert into birthday_days (day, late, caught_up_on, claimed, queued, send_run_id, ran_at) values (?, ?, ?, ?, ?, ?, now())
         on conflict (day) do update set claimed = birthday_days.claimed + excluded.claimed, queued = birthday_days.queued + excluded.queued,
           send_run_id = coalesce(excluded.send_run_id, birthday_days.send_run_id), ran_at = now()`,
        [input.date, input.late, input.caughtUpOn, input.claimed, input.queued, input.runId]);
    },

    /** True once the send path has screened a run (consent, caps): its recipients' states are then final for a notice. */
    async sendRunScreened(input: { runId: number }): Promise<boolean> {
      const [run] = await deps.orm.em.fork().getConnection().execute<Array<{ status: string }>>('select status from send_runs where id = ?', [input.runId]);
      return run !== undefined && run.status !== 'pending' && run.status !== 'screening';
    },

    /** Tells each staff member how many birthday greetings of `date` (the run's unskipped recipients) wait for their confirmation in WeCom. */
    async notifyBirthdayStaff(input: { date: string; late: boolean; runId: number }): Promise<{ notices: number }> {
      const rows = await deps.orm.em.fork().getConnection().execute<Array<{ staff_userid: string; n: string }>>(
        `select sender as staff_userid, count(*) as n from send_recipients where run_id = ? and state <> 'skipped' and sender is not null group by sender order by sender`, [input.runId]);
      for (const row of rows) {
        const late = input.late ? `（补发：原定 ${input.date} 发送，因系统停机延后）` : '';
        await sendStaffNotice(deps, {
          sendKey: `birthday-notice:${input.date}:${row.staff_userid}`, userId: row.staff_userid, externalUserId: null,
          text: `生日关怀${late}：${row.n} 位客户的生日祝福（含专属优惠券）已生成群发任务，请在企业微信中确认发送。`,
        });
      }
      return { notices: rows.length };
    },
  };
}
