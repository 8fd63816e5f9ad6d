import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ForbiddenTerm, QuietHours } from '../common/compliance.ts';
import { DEFAULT_CLINIC_TIME_ZONE } from '../common/clinic-time.ts';
import { ClinicSettings, CustomerConsent, ForbiddenTermRow } from './entities/index.ts';

/** One consent change as the ledger records it. */
export type ConsentChange = {
  externalUserIds: string[];
  marketing: 'granted' | 'withdrawn';
  source: string;
  evidence?: string | null;
  textVersion?: string | null;
  actor?: { id: number | null; username: string | null };
};

/**
 * The consent gate's rules as SQL about one customer (`ext`: an SQL expression naming their
 * external_userid, such as `r.external_userid` or `?`), shared by the send path's screening, the
 * audience preview's consented count and the direct message's check so that they cannot drift apart.
 */
export const consentSql = {
  /** Marketing consent is granted (no grant recorded = no marketing). */
  marketingGranted: (ext: string) => `exists (select 1 from customer_consents cc where cc.external_userid = ${ext} and cc.marketing = 'granted')`,
  /** Why marketing is not allowed: a withdrawal on record is named as such; otherwise none was given. */
  marketingRefusal: (ext: string) =>
    `case when exists (select 1 from consent_events e where e.external_userid = ${ext} and e.marketing = 'withdrawn') then 'consent_withdrawn' else 'no_consent' end`,
  /** The customer asked for no care messages. */
  careOptedOut: (ext: string) => `exists (select 1 from customer_consents cc where cc.external_userid = ${ext} and cc.care_opt_out)`,
};

/**
 * Records consent for many customers at once: the current state is upserted and every change
 * appended to consent_events (the ledger is never rewritten). Takes effect for the next screening
 * at once. Returns how many customers were recorded.
 */
export async function recordConsent(em: EntityManager, change: ConsentChange): Promise<number> {
  const ids = [...new Set(change.externalUserIds)];
  if (ids.length === 0) return 0;
  return em.transactional(async (tx) => {
    const conn = tx.getConnection();
    const list = JSON.stringify(ids);
    await conn.execute(
      `insert into customer_consents (created_at, updated_at, external_userid, marketing, source, changed_at)
       select now(), now(), x, ?, ?, now() from jsonb_array_elements_text(?::jsonb) as x
       on conflict (external_userid) do update set marketing = excluded.marketing, source = excluded.source, changed_at = now(), updated_at = now()`,
      [change.marketing, change.source, list], 'run', tx.getTransactionContext());
    await conn.execute(
      `insert into consent_events (external_userid, marketing, source, evidence, text_version, actor_user_id, actor_username, created_at)
       select x, ?, ?, ?, ?, ?, ?, now() from jsonb_array_elements_text(?::jsonb) as x`,
      [change.marketing, change.source, change.evidence ?? null, change.textVersion ?? null, change.actor?.id ?? null, change.actor?.username ?? null, list],
      'run', tx.getTransactionContext());
    return ids.length;
  });
}

/** Records that a customer wants no care messages (or takes that back); a customer without a consent row gets one saying "not granted", as the consent page's first use does. */
export async function setCareOptOut(em: EntityManager, externalUserId: string, optOut: boolean): Promise<void> {
  await em.getConnection().execute(
    `insert into customer_consents (created_at, updated_at, external_userid, marketing, source, changed_at, care_opt_out)
     values (now(), now(), ?, 'withdrawn', 'none', now(), ?)
     on conflict (external_userid) do update set care_opt_out = excluded.care_opt_out, updated_at = now()`, [externalUserId, optOut]);
}

/** The consent-page token of a customer, minted on first use (the link in the welcome message). */
export async function consentPageToken(em: EntityManager, externalUserId: string): Promise<string> {
  const existing = await em.findOne(CustomerConsent, { externalUserid: externalUserId });
  if (existing?.pageToken) return existing.pageToken;
  const token = randomBytes(18).toString('base64url');
  // A customer who never answered has no consent: the row says "withdrawn" (= not granted) until they grant.
  await em.getConnection().execute(
    `insert into customer_consents (created_at, updated_at, external_userid, marketing, source, changed_at, page_token)
     values (now(), now(), ?, 'withdrawn', 'none', now(), ?)
     on conflict (external_userid) do update set page_token = coalesce(customer_consents.page_token, excluded.page_token)`,
    [externalUserId, token]);
  const row = await em.fork().findOneOrFail(CustomerConsent, { externalUserid: externalUserId });
  return row.pageToken!;
}

/** The clinic's compliance settings (the row the migration creates). */
export type ClinicCompliance = { timeZone: string; quietHours: QuietHours; monthlyCap: number | null; submitPerMinute: number };

/** SQL for the clinic's time zone, read from its settings row where a query needs it (one source of truth). */
export const CLINIC_TIME_ZONE_SQL = `(select time_zone from clinic_settings where id = 1)`;

/** Reads the clinic's settings. */
export async function readClinicCompliance(em: EntityManager): Promise<ClinicCompliance> {
  const row = await em.findOne(ClinicSettings, { id: 1 });
  return {
    timeZone: row?.timeZone ?? DEFAULT_CLINIC_TIME_ZONE,
    quietHours: row?.quietStart && row.quietEnd ? { start: row.quietStart, end: row.quietEnd } : null,
    monthlyCap: row?.monthlyCap ?? null,
    submitPerMinute: row?.submitPerMinute ?? 600,
  };
}

/** The admin-maintained forbidden-term list. */
export async function readForbiddenTerms(em: EntityManager): Promise<ForbiddenTerm[]> {
  const rows = await em.find(ForbiddenTermRow, {}, { orderBy: { term: 'asc' } });
  return rows.map((r) => ({ term: r.term, reason: r.reason }));
}
