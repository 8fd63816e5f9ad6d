import { Migration } from '@mikro-orm/migrations';

/** The upsert of one (day, state, staff) cell of the rollup by `added`/`lost` deltas. */
function bump(row: 'old' | 'new', column: 'followed_at' | 'lost_at', delta: 1 | -1): string {
  const [added, lost] = column === 'followed_at' ? [delta, 0] : [0, delta];
  return `if ${row}.${column} is not null then
      insert into stats_follow_daily as s (day, state, staff_userid, added, lost)
      values ((${row}.${column} at time zone 'Asia/Shanghai')::date, coalesce(${row}.state, ''), ${row}.staff_userid, ${added}, ${lost})
      on conflict (day, state, staff_userid) do update set added = s.added + excluded.added, lost = s.lost + excluded.lost;
    end if;`;
}

/**
 * A daily rollup of relationships added and lost per channel and staff member, kept by row
 * triggers on wework_customer_follows, so the statistics API stays fast over 100,000 customers
 * (issue 10). Backfilled from the follows already there.
 */
export class Migration20261201040200_follow_daily_stats extends Migration {

  override name = 'Migration20261201040200_follow_daily_stats';

  override up(): void | Promise<void> {
    this.addSql(`create table "stats_follow_daily" ("day" date not null, "state" varchar(30) not null, "staff_userid" varchar(64) not null, "added" int not null default 0, "lost" int not null default 0, constraint "stats_follow_daily_pkey" primary key ("day", "state", "staff_userid"));`);
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
    this.addSql(`insert into stats_follow_daily (day, state, staff_userid, added, lost)
      select day, state, staff_userid, sum(added), sum(lost) from (
        select (followed_at at time zone 'Asia/Shanghai')::date as day, coalesce(state, '') as state, staff_userid, 1 as added, 0 as lost from wework_customer_follows where followed_at is not null
        union all
        select (lost_at at time zone 'Asia/Shanghai')::date, coalesce(state, ''), staff_userid, 0, 1 from wework_customer_follows where lost_at is not null
      ) d group by day, state, staff_userid;`);
    this.addSql('create trigger stats_follow_daily_ins_del after insert or delete on wework_customer_follows for each row execute function stats_follow_daily_apply();');
    this.addSql(`create trigger stats_follow_daily_upd after update on wework_customer_follows for each row
    when (old.followed_at is distinct from new.followed_at or old.lost_at is distinct from new.lost_at or old.state is distinct from new.state or old.staff_userid is distinct from new.staff_userid)
    execute function stats_follow_daily_apply();`);
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger stats_follow_daily_upd on wework_customer_follows;');
    this.addSql('drop trigger stats_follow_daily_ins_del on wework_customer_follows;');
    this.addSql('drop function stats_follow_daily_apply();');
    this.addSql('drop table "stats_follow_daily";');
  }

}
