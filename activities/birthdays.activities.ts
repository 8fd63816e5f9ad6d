import { addDays, monthDaysCelebratedOn } from '../common/clinic-time.ts';
import { AutomationSettings } from '../db/entities/index.ts';
import { submitToCustomer } from './customer-send.ts';
import type { ActivityDeps } from './deps.ts';
import { sendStaffNotice } from './staff-notice.ts';

/** The settings a day's greetings run with (read once per run, so a change applies from the next day). */
export interface BirthdaySettings { timeZone: string; daysBefore: number; hour: number; text: string }

/** Month-days as the claim's index expression has them (month * 100 + day). */
function monthDayNumbers(date: string): number[] {
  return monthDaysCelebratedOn(date).map((md) => Number(md.slice(0, 2)) * 100 + Number(md.slice(3)));
}

/** Fills {name} and {coupon} in the clinic's greeting text. */
export function renderGreeting(template: string, values: { name: string; coupon: string }): string {
  return template.replaceAll('{name}', values.name).replaceAll('{coupon}', values.coupon);
}

/** Activities of the birthday engine; each is idempotent (keyed on the greeting row). */
export function createBirthdayActivities(deps: ActivityDeps) {
  return {
    /** The clinic's birthday settings. */
    async loadBirthdaySettings(): Promise<BirthdaySettings> {
      const settings = await deps.orm.em.fork().findOneOrFail(AutomationSettings, { id: 1 });
      return { timeZone: settings.timeZone, daysBefore: settings.birthdayDaysBefore, hour: settings.birthdayHour, text: settings.birthdayText };
    },

    /**
     * Claims the greetings of clinic-local day `date`: every customer with an active relationship
     * whose birthday falls `daysBefore` days later (29 Feb → 28 Feb in a common year) gets one row
     * per birthday year, with a fresh single-use coupon code. INSERT … SELECT with ON CONFLICT DO
     * NOTHING on (customer, year): a day run twice, or two days claiming the same birthday after a
     * settings change, still greets once a year. Returns counts only.
     */
    async claimBirthdayGreetings(input: { date: string; daysBefore: number; late: boolean }): Promise<{ birthdayOn: string; claimed: number; pending: number }> {
      const birthdayOn = addDays(input.date, input.daysBefore);
      const monthDays = monthDayNumbers(birthdayOn);
      const connection = deps.orm.em.fork().getConnection();
      const inserted = await connection.execute<Array<{ id: number }>>(
        `insert into birthday_greetings (created_at, updated_at, customer_id, year, birthday_on, send_on, staff_userid, coupon_code, late)
         select now(), now(), c.id, ?, ?::date, ?::date, f.staff_userid, 'BD' || upper(substr(md5(random()::text || c.id::text), 1, 10)), ?
           from wework_customers c
           join lateral (select f.staff_userid from wework_customer_follows f where f.customer_id = c.id and f.status = 'active'
                          order by f.followed_at nulls last, f.id limit 1) f on true
          where c.birthday is not null and not c.lost
            and (extract(month from c.birthday) * 100 + extract(day from c.birthday)) in (${monthDays.map(() => '?').join(', ')})
         on conflict (customer_id, year) do nothing
         returning id`,
        [Number(birthdayOn.slice(0, 4)), birthdayOn, input.date, input.late, ...monthDays]);
      const [pending] = await connection.execute<Array<{ n: string }>>(
        `select count(*) as n from birthday_greetings where send_on = ? and status = 'claimed'`, [input.date]);
      return { birthdayOn, claimed: inserted.length, pending: Number(pending?.n ?? 0) };
    },

    /**
     * Sends up to `limit` claimed greetings of `date`, each as a marketing-class 群发 task from the
     * follow-up staff member (consent checked by the send path). A customer lost since the claim
     * is skipped; one whose birthday changed is released for the new date. Returns counts.
     */
    async sendBirthdayBatch(input: { date: string; limit: number; text: string }): Promise<{ sent: number; skipped: number; moved: number; remaining: number }> {
      const em = deps.orm.em.fork();
      const connection = em.getConnection();
      const rows = await connection.execute<Array<{ id: number; customer_id: number; external_userid: string; name: string | null; staff_userid: string; coupon_code: string; birthday_on: string; md: number; lost: boolean }>>(
        `select g.id, g.customer_id, c.external_userid, c.name, g.staff_userid, g.coupon_code, to_char(g.birthday_on, 'YYYY-MM-DD') as birthday_on,
                (extract(month from c.birthday) * 100 + extract(day from c.birthday))::int as md, c.lost
           from birthday_greetings g join wework_customers c on c.id = g.customer_id
          where g.send_on = ? and g.status = 'claimed' order by g.id limit ?`, [input.date, input.limit]);
      let sent = 0;
      let skipped = 0;
      let moved = 0;
      for (const row of rows) {
        if (!monthDayNumbers(row.birthday_on).includes(row.md)) {
          await connection.execute(`delete from birthday_greetings where id = ? and status = 'claimed'`, [row.id]);
          moved++;
          continue;
        }
        const outcome = row.lost ? 'lost' : await submitToCustomer(deps, em, {
          sendKey: `birthday:${row.id}`, messageClass: 'marketing', staffUserId: row.staff_userid, externalUserId: row.external_userid,
          text: renderGreeting(input.text, { name: row.name ?? '', coupon: row.coupon_code }),
        });
        const delivered = outcome === 'submitted' || outcome === 'previously_submitted';
        await connection.execute(
          `update birthday_greetings set status = ?, skip_reason = ?, sent_at = case when ? then now() end, updated_at = now() where id = ?`,
          [delivered ? 'sent' : 'skipped', delivered ? null : outcome, delivered, row.id]);
        if (delivered) sent++;
        else skipped++;
      }
      const [remaining] = await connection.execute<Array<{ n: string }>>(
        `select count(*) as n from birthday_greetings where send_on = ? and status = 'claimed'`, [input.date]);
      return { sent, skipped, moved, remaining: Number(remaining?.n ?? 0) };
    },

    /** Tells each staff member how many birthday greetings of `date` wait for their confirmation in WeCom. */
    async notifyBirthdayStaff(input: { date: string; late: boolean }): Promise<{ notices: number }> {
      const rows = await deps.orm.em.fork().getConnection().execute<Array<{ staff_userid: string; n: string }>>(
        `select staff_userid, count(*) as n from birthday_greetings where send_on = ? and status = 'sent' group by staff_userid order by staff_userid`, [input.date]);
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
