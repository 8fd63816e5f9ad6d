import { Migration } from '@mikro-orm/migrations';
import { ROLLUP_REBUILD_TRIGGER } from '../entities/follow-daily-stat.entity.ts';

const ZONE = `(select time_zone from clinic_settings where id = 1)`;

/** The upsert of one (day, state, staff) cell of the rollup by `added`/`lost` deltas, the day in the clinic's zone. */
function bump(row: 'old' | 'new', column: 'followed_at' | 'lost_at', delta: 1 | -1): string {
  const [added, lost] = column === 'followed_at' ? [delta, 0] : [0, delta];
  return `if ${row}.${column} is not null then
      insert into stats_follow_daily as s (day, state, staff_userid, added, lost)
      values ((${row}.${column} at time zone ${ZONE})::date, coalesce(${row}.state, ''), ${row}.staff_userid, ${added}, ${lost})
      on conflict (day, state, staff_userid) do update set added = s.added + excluded.added, lost = s.lost + excluded.lost;
    end if;`;
}

/** The rollup rebuilt from the follows, days in the clinic's zone. */
const REBUILD = `delete from stats_follow_daily;
  insert into stats_follow_daily (day, state, staff_userid, added, lost)
    select day, state, staff_userid, sum(added), sum(lost) from (
      select (followed_at at time zone ${ZONE})::date as day, coalesce(state, '') as state, staff_userid, 1 as added, 0 as lost from wework_customer_follows where followed_at is not null
      union all
      select (lost_at at time zone ${ZONE})::date, coalesce(state, ''), staff_userid, 0, 1 from wework_customer_follows where lost_at is not null
    ) d group by day, state, staff_userid;`;

/**
 * The daily rollup of relationships added and lost buckets days in the clinic's time zone from
 * its settings row (clinic_settings.time_zone, the one source), not a fixed Asia/Shanghai; when
 * the clinic changes its zone the rollup is rebuilt in the new one, so a later delete still
 * finds the cell its insert counted in.
 */
export class Migration20261214010200_clinic_time_zone_rollup extends Migration {

  override name = 'Migration20261214010200_clinic_time_zone_rollup';

  override up(): void | Promise<void> {
    this.addSql(`create or replace function stats_follow_daily_apply() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    ${bump('old', 'followed_at', -1)}
    ${bump('old', 'lost_at', -1)}
  end if;
  if tg_op <> 'DELETE' then
    ${bump('new', 'followed_at', 1)}
    ${bump('new', 'lost_at', 1)}
  end if;
  return null;
end $$;`);
    this.addSql(`create or replace function stats_follow_daily_rebuild() returns trigger language plpgsql as $$
begin
  ${REBUILD}
  return null;
end $$;`);
    this.addSql(ROLLUP_REBUILD_TRIGGER.expression);
    this.addSql(REBUILD);
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger clinic_settings_time_zone_rollup on clinic_settings;');
    this.addSql('drop function stats_follow_daily_rebuild();');
  }

}
