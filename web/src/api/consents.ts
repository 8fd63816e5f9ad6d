import { z } from 'zod';
import { getJson, postJson, putJson } from './client.ts';

/** One change in a customer's consent ledger. */
export type ConsentEventView = { marketing: 'granted' | 'withdrawn'; source: string; evidence: string | null; textVersion: string | null; actor: string | null; at: string };
/** A customer's consent: marketing as it stands, the care opt-out, and the ledger (newest first). */
export type ConsentView = { externalUserId: string; marketing: 'granted' | 'withdrawn' | 'none'; careOptOut: boolean; events: ConsentEventView[] };

const shaped = <T>() => z.custom<T>((value) => typeof value === 'object' && value !== null);
const path = (externalUserId: string) => `/api/consents/${encodeURIComponent(externalUserId)}`;

/** `GET /api/consents/:externalUserId`. */
export const fetchConsent = (externalUserId: string) => getJson(path(externalUserId), shaped<ConsentView>());
/** `POST /api/consents/:externalUserId`: a grant or withdrawal a staff member records, with its evidence. */
export const recordConsent = (externalUserId: string, marketing: 'granted' | 'withdrawn', evidence: string) =>
  postJson(path(externalUserId), { marketing, source: 'staff', evidence }, shaped<{ updated: number }>());
/** `PUT /api/consents/:externalUserId/care`: the customer wants no care messages (or takes that back). */
export const setCareOptOut = (externalUserId: string, optOut: boolean) => putJson(`${path(externalUserId)}/care`, { optOut }, shaped<{ careOptOut: boolean }>());
/** `GET /api/consents/:externalUserId/link`: the customer's own consent page. */
export const fetchConsentLink = (externalUserId: string) => getJson(`${path(externalUserId)}/link`, shaped<{ url: string }>());
