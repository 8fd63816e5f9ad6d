import { Context } from '@temporalio/activity';
import type { Transaction } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { upsertContactWays, type ContactWayFields } from '../db/contact-ways.store.ts';
import { placeholders, upsertCustomers, upsertFollows, type FollowFields } from '../db/customers.store.ts';
import { beginSyncGeneration, completeSyncGeneration } from '../db/sync-generations.store.ts';
import type { WeComApi } from '../wecom/wecom-api.ts';
import type { ActivityDeps } from './deps.ts';
import { callWeCom } from './wecom-calls.ts';
import { asActivityFailure, hasErrcode } from './wecom-failure.ts';
import { contactWayFields, customerFields } from './wecom-records.ts';

/** list_contact_way never returns codes made before this date (WeCom doc 92228). */
const LIST_EPOCH_SECONDS = Date.UTC(2021, 6, 10) / 1000;
/** One list_contact_way window when reading the whole history: WeCom's default span. */
const LIST_WINDOW_SECONDS = 90 * 86_400;
/** Codes per list_contact_way page: each is then read with get_contact_way, so a page stays short. */
const CONTACT_WAYS_PER_PAGE = 100;

/** Where a contact-way chunk got to: stored with each page (sync_checkpoints) and sent as heartbeat details. */
export interface ContactWayChunkState {
  /**
   * The end (s) of the list_contact_way window being read, going back 90 days at a time to WeCom's
   * horizon (the import of every existing code); null reads WeCom's default window, the last 90 days.
   */
  windowEnd: number | null;
  /** The cursor of the next page in this window; '' before its first page. */
  cursor: string;
  pages: number;
  /** Codes read and stored. */
  found: number;
  /** Of those, codes the product did not have. */
  created: number;
  done: boolean;
}

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

/** Writes a chunk's checkpoint inside the transaction that stores its page. */
async function saveCheckpoint(em: EntityManager, key: string, state: object, trx: Transaction): Promise<void> {
  await em.getConnection().execute(
    `insert into sync_checkpoints (key, details, updated_at) values (?, ?::jsonb, now())
     on conflict (key) do update set details = excluded.details, updated_at = now()`,
    [key, JSON.stringify(state)], 'run', trx,
  );
}

/** The stored checkpoint of a chunk (authoritative: written with the data), else the heartbeat's details (throttled, may lag). */
async function resumeState<T>(em: EntityManager, key: string, valid: (value: unknown) => value is T): Promise<T | null> {
  const [stored]: Array<{ details: unknown }> = await em.getConnection().execute('select details from sync_checkpoints where key = ?', [key]);
  const heartbeat = Context.current().info.heartbeatDetails as unknown;
  return valid(stored?.details) ? stored!.details as T : valid(heartbeat) ? heartbeat : null;
}

/**
 * Stores one batch/get_by_user page in bulk — customers, their follow relationships (stamped with
 * the sync's generation) and their corp tags — and the chunk's checkpoint, in one transaction:
 * either the page and the cursor after it are both stored, or neither is.
 */
async function storePage(em: EntityManager, page: BatchPage, tagIds: Map<string, number>, generation: number | null, checkpoint: { key: string; state: SyncChunkState }): Promise<void> {
  const connection = em.getConnection();
  await connection.transactional(async (trx) => {
    const entries = page.external_contact_list;
    if (entries.length > 0) {
      const idOf = await upsertCustomers(connection, entries.map(({ external_contact: contact, follow_info: follow }) => customerFields(contact, follow.createtime)), trx);
      const tagParams: unknown[] = [];
      const follows: FollowFields[] = entries.map(({ external_contact: contact, follow_info: follow }) => {
        const customerId = idOf.get(contact.external_userid)!;
        for (const wecomTagId of follow.tag_id) {
          const tagId = tagIds.get(wecomTagId);
          if (tagId !== undefined) tagParams.push(customerId, tagId);
        }
        return {
          customerId, staffUserid: follow.userid, remark: follow.remark ?? null, description: follow.description ?? null, addWay: follow.add_way ?? null,
          state: follow.state || null, operUserid: follow.oper_userid ?? null, wecomTagIds: follow.tag_id, followedAt: new Date(follow.createtime * 1000),
          reactivate: true, eventWatermark: null, syncGeneration: generation,
        };
      });
      await upsertFollows(connection, follows, trx);
      if (tagParams.length > 0) {
        await connection.execute(
          `insert into wework_customer_tags (wework_customer_id, tag_id) values ${placeholders(tagParams.length / 2, '(?, ?)')} on conflict do nothing`,
          tagParams, 'run', trx,
        );
      }
    }
    await saveCheckpoint(em, checkpoint.key, checkpoint.state, trx);
  });
}

function isContactWayState(value: unknown): value is ContactWayChunkState {
  const v = value as ContactWayChunkState | null;
  return typeof v === 'object' && v !== null && typeof v.cursor === 'string' && typeof v.found === 'number' && (v.windowEnd === null || typeof v.windowEnd === 'number');
}

/**
 * Reads up to `maxPages` pages of channel codes from `state` (list_contact_way, then
 * get_contact_way for each), storing each page with the state after it in one transaction (when
 * `checkpointKey` is given) and heartbeating after each. Returns the state after the last page.
 */
async function readContactWayPages(deps: ActivityDeps, em: EntityManager, state: ContactWayChunkState, maxPages: number, checkpointKey: string | null): Promise<ContactWayChunkState> {
  let read = 0;
  while (!state.done && read < maxPages) {
    const window = state.windowEnd === null ? {} : { start_time: Math.max(LIST_EPOCH_SECONDS, state.windowEnd - LIST_WINDOW_SECONDS + 1), end_time: state.windowEnd };
    const page = await callWeCom(deps, (api) => api.contactWay.list({ ...window, limit: CONTACT_WAYS_PER_PAGE, ...(state.cursor ? { cursor: state.cursor } : {}) }));
    const ways: ContactWayFields[] = [];
    for (const { config_id: configId } of page.contact_way) {
      try {
        ways.push(contactWayFields(await (await deps.wecom()).contactWay.get(configId)));
      } catch (error) {
        // Deleted between the list and the read: nothing to store.
        if (hasErrcode(error, 40058)) continue;
        throw asActivityFailure(error);
      }
    }
    const next: ContactWayChunkState = { ...state, cursor: page.next_cursor || '', pages: state.pages + 1, found: state.found + ways.length };
    if (!next.cursor) {
      // This window is finished: the previous one, or the end of WeCom's history.
      if (next.windowEnd === null || next.windowEnd - LIST_WINDOW_SECONDS <= LIST_EPOCH_SECONDS) next.done = true;
      else next.windowEnd -= LIST_WINDOW_SECONDS;
    }
    await em.transactional(async (trx) => {
      const ctx = trx.getTransactionContext();
      next.created += (await upsertContactWays(trx, ways, ctx)).created;
      if (checkpointKey) await saveCheckpoint(trx, checkpointKey, next, ctx!);
    });
    state = next;
    read += 1;
    Context.current().heartbeat(state);
  }
  return state;
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
     * Channel codes made in WeCom or by the product, in one go (runs started before the paged
     * phase existed replay this activity). New runs use syncContactWayPages.
     */
    async syncContactWays(): Promise<{ contactWays: number }> {
      const state = await readContactWayPages(deps, deps.orm.em.fork(), { windowEnd: null, cursor: '', pages: 0, found: 0, created: 0, done: false }, Infinity, null);
      return { contactWays: state.found };
    },

    /**
     * Channel codes made in WeCom or by the product: up to `maxPages` pages of list_contact_way
     * (100 codes each, then get_contact_way for each; WeCom lists no temp codes), each stored with
     * its checkpoint in one transaction, a heartbeat after each. Welcome templates set in the
     * dashboard are kept. Run again after a crash (same `checkpointKey`), it resumes after the last
     * stored page.
     */
    async syncContactWayPages(input: { checkpointKey: string; state: ContactWayChunkState; maxPages: number }): Promise<{ state: ContactWayChunkState; resumed: boolean }> {
      const em = deps.orm.em.fork();
      const saved = await resumeState(em, input.checkpointKey, isContactWayState);
      const state = await readContactWayPages(deps, em, saved ?? input.state, input.maxPages, input.checkpointKey);
      return { state, resumed: saved !== null };
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
     * Every relationship stored is stamped with the sync's `generation`.
     * Run again after a crash (same `checkpointKey`), it resumes after the last stored page: the
     * pages before it are never read again; only the page in flight at the crash is.
     */
    async syncCustomerPages(input: { checkpointKey: string; userIds: string[]; cursor: string; maxPages: number; generation?: number }): Promise<SyncChunkResult> {
      const em = deps.orm.em.fork();
      const connection = em.getConnection();
      const saved = await resumeState(em, input.checkpointKey, isChunkState);
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
        await storePage(em, page, tagIds, input.generation ?? null, { key: input.checkpointKey, state });
        Context.current().heartbeat(state);
      }
      return { pages: state.pages, relationships: state.relationships, nextCursor: state.done ? '' : state.cursor, resumed };
    },

    /** The generation of this sync run (its relationships are stamped with it); the same on a retry. */
    async beginSyncGeneration(input: { runKey: string }): Promise<{ generation: number }> {
      return { generation: await beginSyncGeneration(deps.orm.em.fork(), input.runKey) };
    },

    /**
     * Reconciles after a complete pass: an active relationship of a synced staff member that this
     * pass did not see (an older generation) no longer exists in WeCom — its deletion callback was
     * missed — so it is marked lost. Returns how many were.
     */
    async completeSyncGeneration(input: { generation: number; staffUserIds: string[] }): Promise<{ lost: number }> {
      return { lost: await completeSyncGeneration(deps.orm.em.fork(), input.generation, input.staffUserIds) };
    },

    /**
     * Runs started before sync generations replay this instead: an active relationship of a synced
     * staff member that this sync did not see (not updated since it started) no longer exists in WeCom — its deletion
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
