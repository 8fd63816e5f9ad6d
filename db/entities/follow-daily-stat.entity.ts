import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A row-level trigger on wework_customer_follows that keeps the daily rollup current. */
export function rollupTriggerDdl(kind: 'ins_del' | 'upd'): string {
  if (kind === 'ins_del') return 'create trigger stats_follow_daily_ins_del after insert or delete on wework_customer_follows for each row execute function stats_follow_daily_apply();';
  return `create trigger stats_follow_daily_upd after update on wework_customer_follows for each row
    when (old.followed_at is distinct from new.followed_at or old.lost_at is distinct from new.lost_at or old.state is distinct from new.state or old.staff_userid is distinct from new.staff_userid)
    execute function stats_follow_daily_apply();`;
}

/** The rollup's triggers, declared on wework_customer_follows (the table they are on). */
export const ROLLUP_TRIGGERS = (['ins_del', 'upd'] as const).map((kind) => ({
  name: `stats_follow_daily_${kind}`,
  timing: 'after' as const,
  events: kind === 'ins_del' ? ['insert' as const, 'delete' as const] : ['update' as const],
  forEach: 'row' as const,
  expression: rollupTriggerDdl(kind),
}));

/** The trigger on clinic_settings that rebuilds the rollup in a new clinic time zone (Migration20261214010200). */
export const ROLLUP_REBUILD_TRIGGER = {
  name: 'clinic_settings_time_zone_rollup',
  timing: 'after' as const,
  events: ['update' as const],
  forEach: 'row' as const,
  expression: `create trigger clinic_settings_time_zone_rollup after update on clinic_settings for each row
    when (old.time_zone is distinct from new.time_zone) execute function stats_follow_daily_rebuild();`,
};

/**
 * Relationships added and lost per clinic day (clinic_settings.time_zone), channel `state` ('' for none) and
 * staff member: the statistics API sums a few thousand of these rows instead of scanning 100,000
 * follows. Kept by triggers on wework_customer_follows (Migration20261201040200_follow_daily_stats
 * defines the function), never written by the application.
 */
export const FollowDailyStat = defineEntity({
  name: 'FollowDailyStat',
  tableName: 'stats_follow_daily',
  properties: {
    day: p.date().primary(),
    state: p.string().length(30).primary(),
    staffUserid: p.string().length(64).primary(),
    added: p.integer().default(0),
    lost: p.integer().default(0),
  },
});
/** A row of stats_follow_daily. */
export type IFollowDailyStat = InferEntity<typeof FollowDailyStat>;
