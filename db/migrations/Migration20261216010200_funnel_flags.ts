import { Migration } from '@mikro-orm/migrations';
import { FUNNEL_APPOINTMENT_TRIGGERS, FUNNEL_CUSTOMER_TRIGGER } from '../entities/stats-totals.entity.ts';

/** The statement trigger function that sets `flag` of the customers a statement on `table` touched to "has a row matching `condition`". */
const refresh = (fn: string, flag: 'booked', table: string, condition: string) => `create function ${fn}() returns trigger language plpgsql as $$
declare
  ids text[];
begin
  if tg_op = 'INSERT' then ids := array(select distinct external_userid from new_rows);
  elsif tg_op = 'UPDATE' then ids := array(select external_userid from new_rows union select external_userid from old_rows);
  else ids := array(select distinct external_userid from old_rows);
  end if;
  update wework_customers c set ${flag} = x.flag
    from (select k.id, exists (select 1 from ${table} t where t.external_userid = k.id ${condition}) as flag from unnest(ids) as k(id)) x
   where c.external_userid = x.id and c.${flag} is distinct from x.flag;
  return null;
end $$;`;

/**
 * The overview's 30-day funnel (added → lead → booked → visited) probed appointments and
 * customer_consumptions twice per customer of the month (≈ 10,000 at 100,000 customers), the
 * largest part of the overview once the customer count came from a counter. wework_customers.booked
 * is now kept by statement-level triggers on appointments (and set on a customer's insert, for
 * bookings recorded first); "visited" is first_consumed_at, which Migration20261217010100_customer_sorts
 * adds with the funnel's covering index.
 */
export class Migration20261216010200_funnel_flags extends Migration {

  override name = 'Migration20261216010200_funnel_flags';

  override up(): void | Promise<void> {
    this.addSql('lock table wework_customers, appointments, customer_consumptions in share row exclusive mode;');
    this.addSql(`alter table "wework_customers" add column "booked" boolean not null default false;`);
    this.addSql(refresh('wework_customers_refresh_booked', 'booked', 'appointments', `and t.status <> 'cancelled'`));
    this.addSql(`create function wework_customers_funnel_flags() returns trigger language plpgsql as $$
begin
  new.booked := exists (select 1 from appointments a where a.external_userid = new.external_userid and a.status <> 'cancelled');
  return new;
end $$;`);
    for (const trigger of [...FUNNEL_APPOINTMENT_TRIGGERS, FUNNEL_CUSTOMER_TRIGGER]) this.addSql(trigger.expression);
    this.addSql(`update wework_customers c set booked = true where exists (select 1 from appointments a where a.external_userid = c.external_userid and a.status <> 'cancelled');`);
  }

  override down(): void | Promise<void> {
    for (const trigger of FUNNEL_APPOINTMENT_TRIGGERS) this.addSql(`drop trigger ${trigger.name} on appointments;`);
    this.addSql(`drop trigger ${FUNNEL_CUSTOMER_TRIGGER.name} on wework_customers;`);
    this.addSql('drop function wework_customers_refresh_booked();');
    this.addSql('drop function wework_customers_funnel_flags();');
    this.addSql('alter table "wework_customers" drop column "booked";');
  }

}
