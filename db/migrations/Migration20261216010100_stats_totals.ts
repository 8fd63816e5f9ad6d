import { Migration } from '@mikro-orm/migrations';
import { CHANNEL_FOLLOW_TRIGGERS, CHANNEL_LEAD_TRIGGERS, CUSTOMER_TOTAL_SHARDS, CUSTOMER_TOTAL_TRIGGERS, TRUNCATE_TRIGGERS } from '../entities/stats-totals.entity.ts';

/** Adds a statement's per-state deltas (a query of state, added, lost, leads) to the channel totals, skipping zero rows. */
const bumpChannels = (deltas: string) => `
  insert into stats_channel_totals as t (state, added, lost, leads)
  select state, sum(added), sum(lost), sum(leads) from (${deltas}) d group by state
  having sum(added) <> 0 or sum(lost) <> 0 or sum(leads) <> 0
  on conflict (state) do update set added = t.added + excluded.added, lost = t.lost + excluded.lost, leads = t.leads + excluded.leads;`;

/** A follow's contribution (`sign` 1 or -1) from a transition table. */
const followDeltas = (table: string, sign: 1 | -1) =>
  `select coalesce(state, '') as state, ${sign} * (followed_at is not null)::int as added, ${sign} * (lost_at is not null)::int as lost, 0 as leads from ${table}`;

/** A lead's contribution from a transition table: `wework_<state>` sources only. */
const leadDeltas = (table: string, sign: 1 | -1) =>
  `select substr(source, 8) as state, 0 as added, 0 as lost, ${sign} as leads from ${table} where source like 'wework\\_%'`;

/**
 * Trigger-kept totals for the statistics (issue 10), so the dashboard reads a few rows where it
 * counted or summed tens of thousands:
 * - stats_customer_totals, the overview's 当前客户总数 (`wework_customers where not lost`, a
 *   sequential scan of 95,000 rows at 100,000 customers): each statement on wework_customers adds
 *   its change (inserted, deleted, `lost` flipped by the follows' trigger) to one of 16 shard rows
 *   chosen by the backend, so concurrent writers seldom wait on one row;
 * - stats_channel_totals, the channel-code list's all-time added / lost / leads per state (the
 *   whole daily rollup summed and the leads counted on every page load).
 * Statement-level, so a sync's page of 100 follows costs one statement per table; a truncate
 * zeroes what it emptied.
 */
export class Migration20261216010100_stats_totals extends Migration {

  override name = 'Migration20261216010100_stats_totals';

  override up(): void | Promise<void> {
    // No write may slip between a backfill and its triggers.
    this.addSql('lock table wework_customers, wework_customer_follows, leads in share row exclusive mode;');
    this.addSql(`create table "stats_customer_totals" ("shard" smallint not null, "active" bigint not null default '0', constraint "stats_customer_totals_pkey" primary key ("shard"));`);
    this.addSql(`create table "stats_channel_totals" ("state" varchar(64) not null, "added" bigint not null default '0', "lost" bigint not null default '0', "leads" bigint not null default '0', constraint "stats_channel_totals_pkey" primary key ("state"));`);
    this.addSql(`create function stats_customer_totals_apply() returns trigger language plpgsql as $$
declare
  delta bigint := 0;
begin
  if tg_op in ('INSERT', 'UPDATE') then
    delta := delta + (select count(*) from new_rows where not lost);
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    delta := delta - (select count(*) from old_rows where not lost);
  end if;
  -- Most updates (names, tags, a sync's refresh) leave the count alone: no row is locked for them.
  if delta <> 0 then
    update stats_customer_totals set active = active + delta where shard = pg_backend_pid() % ${CUSTOMER_TOTAL_SHARDS};
  end if;
  return null;
end $$;`);
    this.addSql(`create function stats_customer_totals_reset() returns trigger language plpgsql as $$
begin
  update stats_customer_totals set active = 0;
  return null;
end $$;`);
    this.addSql(`create function stats_channel_totals_follows() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then ${bumpChannels(followDeltas('new_rows', 1))}
  elsif tg_op = 'UPDATE' then ${bumpChannels(`${followDeltas('new_rows', 1)} union all ${followDeltas('old_rows', -1)}`)}
  else ${bumpChannels(followDeltas('old_rows', -1))}
  end if;
  return null;
end $$;`);
    this.addSql(`create function stats_channel_totals_follows_reset() returns trigger language plpgsql as $$
begin
  update stats_channel_totals set added = 0, lost = 0;
  return null;
end $$;`);
    this.addSql(`create function stats_channel_totals_leads() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then ${bumpChannels(leadDeltas('new_rows', 1))}
  elsif tg_op = 'UPDATE' then ${bumpChannels(`${leadDeltas('new_rows', 1)} union all ${leadDeltas('old_rows', -1)}`)}
  else ${bumpChannels(leadDeltas('old_rows', -1))}
  end if;
  return null;
end $$;`);
    this.addSql(`create function stats_channel_totals_leads_reset() returns trigger language plpgsql as $$
begin
  update stats_channel_totals set leads = 0;
  return null;
end $$;`);
    for (const trigger of [...CUSTOMER_TOTAL_TRIGGERS, ...CHANNEL_FOLLOW_TRIGGERS, ...CHANNEL_LEAD_TRIGGERS, ...TRUNCATE_TRIGGERS]) this.addSql(trigger.expression);
    this.addSql(`insert into stats_customer_totals (shard, active) select s, case when s = 0 then (select count(*) from wework_customers where not lost) else 0 end from generate_series(0, ${CUSTOMER_TOTAL_SHARDS - 1}) s;`);
    this.addSql(bumpChannels(`${followDeltas('wework_customer_follows', 1)} union all ${leadDeltas('leads', 1)}`));
  }

  override down(): void | Promise<void> {
    for (const trigger of CUSTOMER_TOTAL_TRIGGERS) this.addSql(`drop trigger ${trigger.name} on wework_customers;`);
    for (const trigger of CHANNEL_FOLLOW_TRIGGERS) this.addSql(`drop trigger ${trigger.name} on wework_customer_follows;`);
    for (const trigger of CHANNEL_LEAD_TRIGGERS) this.addSql(`drop trigger ${trigger.name} on leads;`);
    for (const trigger of TRUNCATE_TRIGGERS) this.addSql(`drop trigger ${trigger.name} on ${trigger.table};`);
    for (const fn of ['stats_customer_totals_apply', 'stats_customer_totals_reset', 'stats_channel_totals_follows', 'stats_channel_totals_follows_reset', 'stats_channel_totals_leads', 'stats_channel_totals_leads_reset']) {
      this.addSql(`drop function ${fn}();`);
    }
    this.addSql('drop table "stats_customer_totals";');
    this.addSql('drop table "stats_channel_totals";');
  }

}
