import { Context } from '@temporalio/activity';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { WeComApi } from '../wecom/wecom-api.ts';
import type { ActivityDeps } from './deps.ts';
import { callWeCom } from './wecom-calls.ts';
import { asActivityFailure, hasErrcode } from './wecom-failure.ts';

/** Where a customers chunk got to: stored with each page (sync_checkpoints) and sent as heartbeat details. */
export interface SyncChunkState {
  /** The cursor of the next page to read; '' before the first page. */
  cursor: string;
  pages: number;
  relationships: number;
  /** WeCom answered an empty next_cursor: this batch of staff is finished. */
  done: boolean;
}

/** What one chunk of batch/get_by_user pages did. */
export interface SyncChunkResult {
  pages: number;
  relationships: number;
  /** '' when this batch of staff has no more pages. */
  nextCursor: string;
  /** True when the chunk continued after a crash from a stored checkpoint. */
  resumed: boolean;
}

type BatchPage = Awaited<ReturnType<WeComApi['customer']['batchGetByUser']>>;

/** `count` groups of `(?, ?, …)` with `width` placeholders each, for multi-row inserts. */
function placeholders(count: number, row: string): string {
  return Array.from({ length: count }, () => row).join(', ');
}

/**
 * Stores one batch/get_by_user page in bulk — customers, their follow relationships and their
 * corp tags — and the chunk's checkpoint, in one transaction: either the page and the cursor
 * after it are both stored, or neither is.
 */
async function storePage(em: EntityManager, page: BatchPage, tagIds: Map<string, number>, checkpoint: { key: string; state: SyncChunkState }): Promise<void> {
  const connection = em.getConnection();
  await connection.transactional(async (trx) => {
    const entries = page.external_contact_list;
    if (entries.length > 0) {
      // A customer followed by two staff members can appear twice in one page: one row per customer.
      const customers = new Map<string, { contact: BatchPage['external_contact_list'][number]['external_contact']; addedAt: number }>();
      for (const { external_contact: contact, follow_info: follow } of entries) {
        const seen = customers.get(contact.external_userid);
        customers.set(contact.external_userid, { contact, addedAt: Math.min(seen?.addedAt ?? Infinity, follow.createtime) });
      }
      const customerParams: unknown[] = [];
      for (const { contact, addedAt } of customers.values()) {
        customerParams.push(contact.external_userid, contact.name || null, contact.avatar ?? null, contact.gender ?? 0, contact.unionid ?? null,
          contact.type ?? null, contact.corp_name ?? null, new Date(addedAt * 1000));
      }
      const ids: Array<{ id: number; external_userid: string }> = await connection.execute(
        `insert into wework_customers (created_at, updated_at, external_userid, name, avatar, gender, unionid, type, corp_name, added_at)
         values ${placeholders(customers.size, '(now(), now(), ?, ?, ?, ?, ?, ?, ?, ?)')}
         on conflict (external_userid) do update set name = excluded.name, avatar = excluded.avatar, gender = excluded.gender,
           unionid = coalesce(excluded.unionid, wework_customers.unionid), type = excluded.type, corp_name = excluded.corp_name,
           added_at = least(wework_customers.added_at, excluded.added_at), updated_at = now()
         returning id, external_userid`,
        customerParams, 'all', trx,
      );
      const idOf = new Map(ids.map((row) => [row.external_userid, row.id]));

      const followParams: unknown[] = [];
      const tagParams: unknown[] = [];
      for (const { external_contact: contact, follow_info: follow } of entries) {
        const customerId = idOf.get(contact.external_userid)!;
        followParams.push(customerId, follow.userid, follow.remark ?? null, follow.description ?? null, follow.add_way ?? null, follow.state || null,
          follow.oper_userid ?? null, JSON.stringify(follow.tag_id), new Date(follow.createtime * 1000));
        for (const wecomTagId of follow.tag_id) {
          const tagId = tagIds.get(wecomTagId);
          if (tagId !== undefined) tagParams.push(customerId, tagId);
        }
      }
      await connection.execute(
        `insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, remark, description, add_way, state, oper_userid, wecom_tag_ids, followed_at, status)
         values ${placeholders(entries.length, "(now(), now(), ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, 'active')")}
         on conflict (customer_id, staff_userid) do update set remark = excluded.remark, description = excluded.description,
           add_way = excluded.add_way, state = excluded.state, oper_userid = excluded.oper_userid, wecom_tag_ids = excluded.wecom_tag_ids,
           followed_at = excluded.followed_at, status = 'active', lost_at = null, lost_reason = null, updated_at = now()`,
        followParams, 'run', trx,
      );
      if (tagParams.length > 0) {
        await connection.execute(
          `insert into wework_customer_tags (wework_customer_id, tag_id) values ${placeholders(tagParams.length / 2, '(?, ?)')} on conflict do nothing`,
          tagParams, 'run', trx,
        );
      }
    }
    await connection.execute(
      `insert into sync_checkpoints (key, details, updated_at) values (?, ?::jsonb, now())
       on conflict (key) do update set details = excluded.details, updated_at = now()`,
      [checkpoint.key, JSON.stringify(checkpoint.state)], 'run', trx,
    );
  });
}

function isChunkState(value: unknown): value is SyncChunkState {
  const v = value as SyncChunkState | null;
  return typeof v === 'object' && v !== null && typeof v.cursor === 'string' && typeof v.pages === 'number' && typeof v.relationships === 'number';
}

/** Activities of customerSyncWorkflow (SPEC §2.9); each is an idempotent upsert keyed on WeCom ids. */
export function createSyncActivities(deps: ActivityDeps) {
  return {
    /** Staff with customer contact enabled (get_follow_user_list), upserted into wework_staff; returns their userids. */
    async syncStaff(): Promise<{ userIds: string[] }> {
      const userIds = await callWeCom(deps, (api) => api.customer.followUserList());
      if (userIds.length > 0) {
        await deps.orm.em.fork().getConnection().execute(
          `insert into wework_staff (created_at, updated_at, userid, active) values ${placeholders(userIds.length, '(now(), now(), ?, true)')}
           on conflict (userid) do update set active = true, updated_at = now()`,
          userIds, 'run',
        );
      }
      return { userIds };
    },

    /**
     * Channel codes made in WeCom or by the product: list_contact_way (cursor, 1,000 a page; WeCom
     * lists the last 90 days and no temp codes), then get_contact_way for each. Welcome templates
     * set in the dashboard are kept.
     */
    async syncContactWays(): Promise<{ contactWays: number }> {
      const em = deps.orm.em.fork();
      let cursor: string | undefined;
      let count = 0;
      do {
        const page = await callWeCom(deps, (api) => api.contactWay.list({ cursor, limit: 1000 }));
        for (const { config_id: configId } of page.contact_way) {
          let way;
          try {
            way = await (await deps.wecom()).contactWay.get(configId);
          } catch (error) {
            // Deleted between the list and the read: nothing to store.
            if (hasErrcode(error, 40058)) continue;
            throw asActivityFailure(error);
          }
          await em.getConnection().execute(
            `insert into wework_contact_ways (created_at, updated_at, config_id, type, scene, style, is_temp, expires_in, chat_expires_in, state, qr_code, user_ids, party_ids, skip_verify, conclusions, remark)
             values (now(), now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?::jsonb, ?)
             on conflict (config_id) do update set type = excluded.type, scene = excluded.scene, style = excluded.style, is_temp = excluded.is_temp,
               expires_in = excluded.expires_in, chat_expires_in = excluded.chat_expires_in, state = excluded.state, qr_code = excluded.qr_code,
               user_ids = excluded.user_ids, party_ids = excluded.party_ids, skip_verify = excluded.skip_verify, conclusions = excluded.conclusions,
               remark = excluded.remark, updated_at = now()`,
            [way.config_id, way.type, way.scene, way.style ?? null, way.is_temp ?? false, way.expires_in || null, way.chat_expires_in || null,
              way.state || null, way.qr_code ?? null, JSON.stringify(way.user ?? []), JSON.stringify(way.party ?? []), way.skip_verify ?? true,
              way.conclusions ? JSON.stringify(way.conclusions) : null, way.remark ? way.remark.slice(0, 30) : null],
            'run',
          );
          count += 1;
        }
        cursor = page.next_cursor || undefined;
      } while (cursor);
      return { contactWays: count };
    },

    /** How many relationships the customers phase should find: the active ones stored by the last sync. */
    async estimateSyncTotal(): Promise<{ relationships: number }> {
      const [row]: Array<{ n: string }> = await deps.orm.em.fork().getConnection().execute(
        "select count(*) as n from wework_customer_follows where status = 'active'",
      );
      return { relationships: Number(row?.n ?? 0) };
    },

    /**
     * Reads up to `maxPages` pages of batch/get_by_user (100 customers each) for ≤ 100 staff from
     * `cursor`, storing each page with its checkpoint in one transaction, and heartbeats after each.
     * Run again after a crash (same `checkpointKey`), it resumes after the last stored page: the
     * pages before it are never read again; only the page in flight at the crash is.
     */
    async syncCustomerPages(input: { checkpointKey: string; userIds: string[]; cursor: string; maxPages: number }): Promise<SyncChunkResult> {
      const em = deps.orm.em.fork();
      const connection = em.getConnection();
      const [stored]: Array<{ details: unknown }> = await connection.execute('select details from sync_checkpoints where key = ?', [input.checkpointKey]);
      // The database row is authoritative (written with the data); heartbeat details are throttled by the SDK and may lag.
      const heartbeat = Context.current().info.heartbeatDetails as unknown;
      const saved = isChunkState(stored?.details) ? stored.details : isChunkState(heartbeat) ? heartbeat : null;
      const state: SyncChunkState = saved ?? { cursor: input.cursor, pages: 0, relationships: 0, done: false };
      const resumed = saved !== null;

      const tagRows: Array<{ id: number; wecom_tag_id: string }> = await connection.execute('select id, wecom_tag_id from tags where wecom_tag_id is not null');
      const tagIds = new Map(tagRows.map((row) => [row.wecom_tag_id, row.id]));

      while (!state.done && state.pages < input.maxPages) {
        const page = await callWeCom(deps, (api) => api.customer.batchGetByUser({ userid_list: input.userIds, cursor: state.cursor || undefined, limit: 100 }));
        state.cursor = page.next_cursor ?? '';
        state.pages += 1;
        state.relationships += page.external_contact_list.length;
        state.done = !state.cursor;
        await storePage(em, page, tagIds, { key: input.checkpointKey, state });
        Context.current().heartbeat(state);
      }
      return { pages: state.pages, relationships: state.relationships, nextCursor: state.done ? '' : state.cursor, resumed };
    },

    /**
     * Reconciles after a complete pass: an active relationship of a synced staff member that this
     * sync did not see (not updated since it started) no longer exists in WeCom — its deletion
     * callback was missed — so it is marked lost. Returns how many were.
     */
    async markUnseenRelationshipsLost(input: { since: string; staffUserIds: string[] }): Promise<{ lost: number }> {
      if (input.staffUserIds.length === 0) return { lost: 0 };
      const result = await deps.orm.em.fork().getConnection().execute(
        `update wework_customer_follows set status = 'lost', lost_at = now(), lost_reason = 'missing_in_sync', updated_at = now()
          where status = 'active' and updated_at < ? and staff_userid in (${placeholders(input.staffUserIds.length, '?')})`,
        [new Date(input.since), ...input.staffUserIds], 'run',
      );
      return { lost: (result as { affectedRows?: number }).affectedRows ?? 0 };
    },

    /** Deletes a finished sync's checkpoints (and any older than a week, left by abandoned runs). */
    async clearSyncCheckpoints(input: { prefix: string }): Promise<void> {
      await deps.orm.em.fork().getConnection().execute(
        "delete from sync_checkpoints where key like ? or updated_at < now() - interval '7 days'",
        [`${input.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`], 'run',
      );
    },
  };
}
