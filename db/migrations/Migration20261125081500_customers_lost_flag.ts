import { Migration } from '@mikro-orm/migrations';

/**
 * wework_customers.lost, maintained by statement-level triggers on wework_customer_follows: the
 * 已流失 filter then reads one indexed column instead of an anti-join over every relationship,
 * and no code path (onboarding, churn events, sync, a manual edit) can forget to update it.
 */
export class Migration20261125081500_customers_lost_flag extends Migration {
  override name = 'Migration20261125081500_customers_lost_flag';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_customers" add column "lost" boolean not null default false;`);
    // Sets the flag of the given customers: all follows lost (false when they have none).
    this.addSql(`
      create function wework_customers_apply_lost(ids int[]) returns void language sql as $$
        update wework_customers c
           set lost = x.lost
          from (
            select t.customer_id, coalesce((select bool_and(f.status = 'lost') from wework_customer_follows f where f.customer_id = t.customer_id), false) as lost
              from unnest(ids) as t(customer_id)
          ) x
         where c.id = x.customer_id and c.lost is distinct from x.lost;
      $$;`);
    // One call per statement (not per row), so a sync's bulk upsert of 100 follows costs one update.
    this.addSql(`
      create function wework_customers_refresh_lost() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          perform wework_customers_apply_lost(array(select distinct customer_id from new_rows));
        elsif tg_op = 'UPDATE' then
          perform wework_customers_apply_lost(array(select customer_id from new_rows union select customer_id from old_rows));
        else
          perform wework_customers_apply_lost(array(select distinct customer_id from old_rows));
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger wework_customer_follows_lost_ins after insert on wework_customer_follows referencing new table as new_rows for each statement execute function wework_customers_refresh_lost();`);
    this.addSql(`create trigger wework_customer_follows_lost_upd after update on wework_customer_follows referencing old table as old_rows new table as new_rows for each statement execute function wework_customers_refresh_lost();`);
    this.addSql(`create trigger wework_customer_follows_lost_del after delete on wework_customer_follows referencing old table as old_rows for each statement execute function wework_customers_refresh_lost();`);
    this.addSql(`update wework_customers c set lost = true where exists (select 1 from wework_customer_follows f where f.customer_id = c.id) and not exists (select 1 from wework_customer_follows f where f.customer_id = c.id and f.status = 'active');`);
    this.addSql(`create index "wework_customers_lost_added_at_index" on "wework_customers" ("added_at" desc nulls last, "id" desc) where "lost";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger wework_customer_follows_lost_ins on wework_customer_follows;`);
    this.addSql(`drop trigger wework_customer_follows_lost_upd on wework_customer_follows;`);
    this.addSql(`drop trigger wework_customer_follows_lost_del on wework_customer_follows;`);
    this.addSql(`drop function wework_customers_refresh_lost();`);
    this.addSql(`drop function wework_customers_apply_lost(int[]);`);
    this.addSql(`drop index "wework_customers_lost_added_at_index";`);
    this.addSql(`alter table "wework_customers" drop column "lost";`);
  }
}
