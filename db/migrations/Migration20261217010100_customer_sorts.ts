import { Migration } from '@mikro-orm/migrations';

/**
 * The customer list sorted by last visit, total spend and next birthday over 100,000 customers
 * (issue 10): wework_customers.first/last_consumed_at and spend_fen, kept by triggers on
 * customer_consumptions (never written by the application), and one index per sort with the id as
 * tiebreak. Computing min/max/sum per customer at query time read every customer's consumptions
 * (the tier filter took over a second at 100,000 customers); the tier is now read off the row.
 * Also the follows' (state, customer_id) index, for the channel filter's count.
 */
export class Migration20261217010100_customer_sorts extends Migration {
  override name = 'Migration20261217010100_customer_sorts';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_customers" add column "first_consumed_at" timestamptz null, add column "last_consumed_at" timestamptz null, add column "spend_fen" bigint not null default '0';`);
    // Recomputes the two figures of the given customers from their consumptions.
    this.addSql(`
      create function wework_customers_apply_consumption(keys text[]) returns void language sql as $$
        update wework_customers c
           set first_consumed_at = x.first_at, last_consumed_at = x.last_at, spend_fen = x.spend
          from (
            select t.key, min(k.occurred_at) as first_at, max(k.occurred_at) as last_at, coalesce(sum(k.amount_fen), 0) as spend
              from unnest(keys) as t(key) left join customer_consumptions k on k.external_userid = t.key
             group by t.key
          ) x
         where c.external_userid = x.key
           and (c.first_consumed_at is distinct from x.first_at or c.last_consumed_at is distinct from x.last_at or c.spend_fen <> x.spend);
      $$;`);
    // One call per statement (an import of 5,000 rows costs one update), like the lost flag.
    this.addSql(`
      create function wework_customers_refresh_consumption() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          perform wework_customers_apply_consumption(array(select distinct external_userid from new_rows));
        elsif tg_op = 'UPDATE' then
          perform wework_customers_apply_consumption(array(select external_userid from new_rows union select external_userid from old_rows));
        else
          perform wework_customers_apply_consumption(array(select distinct external_userid from old_rows));
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger customer_consumptions_customer_ins after insert on customer_consumptions referencing new table as new_rows for each statement execute function wework_customers_refresh_consumption();`);
    this.addSql(`create trigger customer_consumptions_customer_upd after update on customer_consumptions referencing old table as old_rows new table as new_rows for each statement execute function wework_customers_refresh_consumption();`);
    this.addSql(`create trigger customer_consumptions_customer_del after delete on customer_consumptions referencing old table as old_rows for each statement execute function wework_customers_refresh_consumption();`);
    // Visits recorded before the customer was added (an import keyed by an id WeCom gives later).
    this.addSql(`
      create function wework_customers_init_consumption() returns trigger language plpgsql as $$
      begin
        select min(k.occurred_at), max(k.occurred_at), coalesce(sum(k.amount_fen), 0) into new.first_consumed_at, new.last_consumed_at, new.spend_fen
          from customer_consumptions k where k.external_userid = new.external_userid;
        return new;
      end $$;`);
    this.addSql(`create trigger wework_customers_consumption_init before insert on wework_customers for each row execute function wework_customers_init_consumption();`);
    this.addSql(`update wework_customers c set first_consumed_at = x.first_at, last_consumed_at = x.last_at, spend_fen = x.spend
      from (select external_userid, min(occurred_at) as first_at, max(occurred_at) as last_at, sum(amount_fen) as spend from customer_consumptions group by external_userid) x
     where c.external_userid = x.external_userid;`);
    this.addSql(`create index "wework_customers_last_consumed_at_id_index" on "wework_customers" ("last_consumed_at" desc nulls last, "id" desc);`);
    this.addSql(`create index "wework_customers_spend_fen_id_index" on "wework_customers" ("spend_fen" desc, "id" desc);`);
    // Next birthday first: month*100+day from today's on, then the ones earlier in the year (two index ranges).
    this.addSql(`create index "wework_customers_birthday_md_id_index" on "wework_customers" ((extract(month from "birthday") * 100 + extract(day from "birthday")), "id") where "birthday" is not null;`);
    // The overview's 30-day funnel (added → lead → booked → visited) as one index-only range.
    this.addSql(`create index "wework_customers_funnel_index" on "wework_customers" ("added_at") include ("lead_id", "booked", "first_consumed_at");`);
    // A channel's customers counted (and probed) on the index alone; replaces the index on state.
    this.addSql(`create index "wework_customer_follows_state_customer_id_index" on "wework_customer_follows" ("state", "customer_id");`);
    this.addSql(`drop index "wework_customer_follows_state_index";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create index "wework_customer_follows_state_index" on "wework_customer_follows" ("state");`);
    this.addSql(`drop index "wework_customer_follows_state_customer_id_index";`);
    this.addSql(`drop index "wework_customers_funnel_index";`);
    this.addSql(`drop trigger wework_customers_consumption_init on wework_customers;`);
    this.addSql(`drop trigger customer_consumptions_customer_ins on customer_consumptions;`);
    this.addSql(`drop trigger customer_consumptions_customer_upd on customer_consumptions;`);
    this.addSql(`drop trigger customer_consumptions_customer_del on customer_consumptions;`);
    this.addSql(`drop function wework_customers_init_consumption();`);
    this.addSql(`drop function wework_customers_refresh_consumption();`);
    this.addSql(`drop function wework_customers_apply_consumption(text[]);`);
    this.addSql(`drop index "wework_customers_birthday_md_id_index";`);
    this.addSql(`drop index "wework_customers_spend_fen_id_index";`);
    this.addSql(`drop index "wework_customers_last_consumed_at_id_index";`);
    this.addSql(`alter table "wework_customers" drop column "first_consumed_at", drop column "last_consumed_at", drop column "spend_fen";`);
  }
}
