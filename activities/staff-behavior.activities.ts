import { addDays, localDate, zonedInstant } from '../common/clinic-time.ts';
import { readClinicCompliance } from '../db/compliance.store.ts';
import type { ActivityDeps } from './deps.ts';
import { callWeCom } from './wecom-calls.ts';

/** get_user_behavior_data spans at most 30 days (doc 92132): 30 clinic days per request. */
const WINDOW_DAYS = 30;

/** The activities of staffBehaviorSyncWorkflow. */
export function createStaffBehaviorActivities(deps: ActivityDeps) {
  return {
    /** Staff members with customer-contact permission (get_follow_user_list): the ones WeCom has figures for. */
    async listBehaviorStaff(): Promise<string[]> {
      return callWeCom(deps, (api) => api.customer.followUserList());
    },

    /**
     * Reads one staff member's daily figures for the `days` clinic days ending today, one ≤ 30-day
     * window per request and one staff member per request (WeCom sums every userid of a request),
     * and upserts them per day: a repeat replaces the same rows.
     */
    async syncStaffBehavior(input: { userid: string; days: number }): Promise<{ days: number }> {
      const { timeZone } = await readClinicCompliance(deps.orm.em.fork());
      const today = localDate(Date.now(), timeZone);
      const first = addDays(today, -(input.days - 1));
      let stored = 0;
      for (let from = first; from <= today; from = addDays(from, WINDOW_DAYS)) {
        const to = addDays(from, WINDOW_DAYS - 1) < today ? addDays(from, WINDOW_DAYS - 1) : today;
        const rows = await callWeCom(deps, (api) => api.stats.userBehavior({
          userid: [input.userid], start_time: zonedInstant(from, 0, 0, timeZone) / 1000, end_time: zonedInstant(to, 0, 0, timeZone) / 1000,
        }));
        if (rows.length === 0) continue;
        const values = rows.map(() => '(?::date, ?, ?, ?, ?, ?, ?, ?, ?, now())').join(', ');
        const params = rows.flatMap((row) => [
          localDate(row.stat_time * 1000, timeZone), input.userid, row.new_apply_cnt, row.new_contact_cnt, row.chat_cnt, row.message_cnt,
          row.reply_percentage ?? null, row.avg_reply_time ?? null, row.negative_feedback_cnt,
        ]);
        await deps.orm.em.fork().getConnection().execute(
          `insert into staff_behavior_daily (day, staff_userid, new_apply_cnt, new_contact_cnt, chat_cnt, message_cnt, reply_percentage, avg_reply_time, negative_feedback_cnt, synced_at)
           values ${values}
           on conflict (day, staff_userid) do update set new_apply_cnt = excluded.new_apply_cnt, new_contact_cnt = excluded.new_contact_cnt,
             chat_cnt = excluded.chat_cnt, message_cnt = excluded.message_cnt, reply_percentage = excluded.reply_percentage,
             avg_reply_time = excluded.avg_reply_time, negative_feedback_cnt = excluded.negative_feedback_cnt, synced_at = excluded.synced_at`, params);
        stored += rows.length;
      }
      return { days: stored };
    },
  };
}
