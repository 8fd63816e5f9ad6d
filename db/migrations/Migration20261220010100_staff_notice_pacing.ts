import { Migration } from '@mikro-orm/migrations';

/**
 * Staff notices paced to WeCom's per-member limit (30 app messages a minute, 1,000 an hour, the
 * excess dropped silently): `slot_at` is when a message took one of the member's send slots,
 * status `queued` a notice waiting for the member's next digest, `digest_id` the digest message
 * that carried it.
 *
 * The pacing decision is a function: it holds the member's advisory lock only while it runs in the
 * server. Taken by the client across round trips, the lock was held while a CPU-starved worker
 * was descheduled, and a launch burst's notices queued behind it (end to end halved).
 */
export class Migration20261220010100_staff_notice_pacing extends Migration {

  override name = 'Migration20261220010100_staff_notice_pacing';

  override up(): void | Promise<void> {
    this.addSql(`alter table "wework_messages" add column "slot_at" timestamptz null, add column "digest_id" int null;`);
    this.addSql(`alter table "wework_messages" drop constraint if exists "wework_messages_status_check";`);
    this.addSql(`alter table "wework_messages" add constraint "wework_messages_status_check" check ("status" in ('pending', 'queued', 'sent', 'failed', 'skipped'));`);
    this.addSql(`create index "wework_messages_staff_slot_index" on "wework_messages" ("staff_userid", "slot_at") where "slot_at" is not null;`);
    this.addSql(`create index "wework_messages_staff_queued_index" on "wework_messages" ("staff_userid", "id") where "status" = 'queued';`);
    // The member's app messages in the last minute and hour (singles and all), and when a slot frees.
    this.addSql(`create or replace function staff_notice_window(p_staff text)
      returns table (minute bigint, hour bigint, singles_minute bigint, singles_hour bigint, minute_frees_in_s double precision, hour_frees_in_s double precision)
      language sql volatile as $$
        select count(*) filter (where slot_at > clock_timestamp() - interval '60 seconds'),
               count(*),
               count(*) filter (where slot_at > clock_timestamp() - interval '60 seconds' and digest_id is null and send_key not like 'notice-digest:%'),
               count(*) filter (where digest_id is null and send_key not like 'notice-digest:%'),
               extract(epoch from (min(slot_at) filter (where slot_at > clock_timestamp() - interval '60 seconds') + interval '60 seconds' - clock_timestamp()))::double precision,
               extract(epoch from (min(slot_at) + interval '1 hour' - clock_timestamp()))::double precision
          from wework_messages where staff_userid = p_staff and slot_at > clock_timestamp() - interval '1 hour'
      $$;`);
    // send: the notice took a slot (or an earlier attempt did); queued / queued_wake: it waits for a
    // digest; done: settled already. Wake the member's digest workflow when this is the oldest
    // notice waiting (the others count on its wake; an attempt retried after its wake failed is
    // still the oldest, so it wakes again), or when notices have waited longer than any digest
    // waits for WeCom's hourly pace (an attempt that gave up: the next notice makes it good).
    this.addSql(`create or replace function staff_notice_pace(p_id int, p_staff text, p_singles_minute int, p_singles_hour int, p_all_minute int, p_all_hour int)
      returns text language plpgsql volatile as $$
      declare
        m record;
        w record;
        others boolean;
        wake boolean;
      begin
        perform pg_advisory_xact_lock(hashtextextended('staff-notice:' || p_staff, 0));
        select status, slot_at, digest_id into m from wework_messages where id = p_id;
        if not found or m.status in ('sent', 'failed', 'skipped') then return 'done'; end if;
        if m.slot_at is not null then return 'send'; end if;
        others := exists (select 1 from wework_messages o where o.staff_userid = p_staff and o.status = 'queued' and o.digest_id is null and o.id <> p_id);
        wake := not exists (select 1 from wework_messages o where o.staff_userid = p_staff and o.status = 'queued' and o.digest_id is null and o.id < p_id)
          or exists (select 1 from wework_messages o where o.staff_userid = p_staff and o.status = 'queued' and o.digest_id is null and o.updated_at < clock_timestamp() - interval '2 hours');
        if m.status = 'queued' then return case when m.digest_id is null and wake then 'queued_wake' else 'queued' end; end if;
        select * into w from staff_notice_window(p_staff);
        -- Singles keep to their own pace, and never overtake notices already waiting for a digest.
        if not others and w.singles_minute < p_singles_minute and w.singles_hour < p_singles_hour and w.minute < p_all_minute and w.hour < p_all_hour then
          update wework_messages set slot_at = clock_timestamp(), updated_at = now() where id = p_id;
          return 'send';
        end if;
        update wework_messages set status = 'queued', updated_at = now() where id = p_id;
        return case when wake then 'queued_wake' else 'queued' end;
      end $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists staff_notice_pace(int, text, int, int, int, int);`);
    this.addSql(`drop function if exists staff_notice_window(text);`);
    this.addSql(`drop index if exists "wework_messages_staff_queued_index";`);
    this.addSql(`drop index if exists "wework_messages_staff_slot_index";`);
    this.addSql(`update "wework_messages" set "status" = 'pending' where "status" = 'queued';`);
    this.addSql(`alter table "wework_messages" drop constraint if exists "wework_messages_status_check";`);
    this.addSql(`alter table "wework_messages" add constraint "wework_messages_status_check" check ("status" in ('pending', 'sent', 'failed', 'skipped'));`);
    this.addSql(`alter table "wework_messages" drop column "digest_id", drop column "slot_at";`);
  }

}
