import type { Transaction } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Conclusions } from './entities/wework-contact-way.entity.ts';
import { placeholders } from './customers.store.ts';

/** A channel code as WeCom describes it (get_contact_way); the welcome template is the clinic's own and not here. */
export interface ContactWayFields {
  configId: string;
  type: number;
  scene: number;
  style: number | null;
  isTemp: boolean;
  expiresIn: number | null;
  chatExpiresIn: number | null;
  state: string | null;
  qrCode: string | null;
  userIds: string[];
  partyIds: number[];
  skipVerify: boolean;
  unionid: string | null;
  isExclusive: boolean;
  conclusions: Conclusions | null;
  remark: string | null;
}

/**
 * The one upsert of wework_contact_ways from WeCom (the sync and the import of existing codes):
 * every field WeCom reports replaces the stored one; the welcome template set in the dashboard is
 * kept. Returns how many codes were new.
 */
export async function upsertContactWays(em: EntityManager, ways: ContactWayFields[], trx?: Transaction): Promise<{ created: number }> {
  // One row per code: a statement may not update the same row twice.
  const unique = [...new Map(ways.map((way) => [way.configId, way])).values()];
  if (unique.length === 0) return { created: 0 };
  const params: unknown[] = [];
  for (const w of unique) {
    params.push(w.configId, w.type, w.scene, w.style, w.isTemp, w.expiresIn, w.chatExpiresIn, w.state, w.qrCode, JSON.stringify(w.userIds),
      JSON.stringify(w.partyIds), w.skipVerify, w.unionid, w.isExclusive, w.conclusions ? JSON.stringify(w.conclusions) : null, w.remark);
  }
  const rows: Array<{ created: boolean }> = await em.getConnection().execute(
    `insert into wework_contact_ways (created_at, updated_at, config_id, type, scene, style, is_temp, expires_in, chat_expires_in, state, qr_code,
       user_ids, party_ids, skip_verify, unionid, is_exclusive, conclusions, remark)
     values ${placeholders(unique.length, '(now(), now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?::jsonb, ?)')}
     on conflict (config_id) do update set type = excluded.type, scene = excluded.scene, style = excluded.style, is_temp = excluded.is_temp,
       expires_in = excluded.expires_in, chat_expires_in = excluded.chat_expires_in, state = excluded.state, qr_code = excluded.qr_code,
       user_ids = excluded.user_ids, party_ids = excluded.party_ids, skip_verify = excluded.skip_verify, unionid = excluded.unionid,
       is_exclusive = excluded.is_exclusive, conclusions = excluded.conclusions, remark = excluded.remark, updated_at = now()
     returning (xmax = 0) as created`,
    params, 'all', trx,
  );
  return { created: rows.filter((row) => row.created).length };
}
