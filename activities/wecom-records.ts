import type { ContactWayFields } from '../db/contact-ways.store.ts';
import type { CustomerFields } from '../db/customers.store.ts';
import type { Conclusions } from '../db/entities/wework-contact-way.entity.ts';
import type { ContactWay } from '../wecom/api/contact-way.ts';
import type { ExternalContact } from '../wecom/api/customer.ts';

/**
 * WeCom's descriptions turned into the rows the product keeps: one mapping per kind of record, so
 * the sync, the import and the callbacks store the same fields the same way.
 */

/** A customer's row from WeCom's external_contact; `followedAt` (s) is when this relationship began. */
export function customerFields(contact: Pick<ExternalContact, 'external_userid' | 'name' | 'avatar' | 'gender' | 'unionid' | 'type' | 'corp_name'>, followedAt: number | null): CustomerFields {
  return {
    externalUserid: contact.external_userid, name: contact.name || null, avatar: contact.avatar ?? null, gender: contact.gender ?? 0,
    unionid: contact.unionid || null, type: contact.type ?? null, corpName: contact.corp_name ?? null,
    addedAt: followedAt === null || !Number.isFinite(followedAt) ? null : new Date(followedAt * 1000),
  };
}

/** A channel code's row from get_contact_way. WeCom reports the temp-only fields for temp codes only. */
export function contactWayFields(way: ContactWay): ContactWayFields {
  const temp = way.is_temp ?? false;
  const conclusions = temp && way.conclusions && Object.keys(way.conclusions).length > 0 ? (way.conclusions as Conclusions) : null;
  return {
    configId: way.config_id, type: way.type, scene: way.scene, style: way.style ?? null, isTemp: temp,
    expiresIn: temp ? way.expires_in || null : null, chatExpiresIn: temp ? way.chat_expires_in || null : null,
    state: way.state || null, qrCode: way.qr_code ?? null, userIds: way.user ?? [], partyIds: way.party ?? [], skipVerify: way.skip_verify ?? true,
    unionid: temp ? way.unionid || null : null, isExclusive: way.is_exclusive ?? false, conclusions, remark: way.remark ? way.remark.slice(0, 30) : null,
  };
}
