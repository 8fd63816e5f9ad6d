import {
  contactWayDeletedSchema, contactWayListSchema, contactWayMembersSchema, contactWayResponseSchema, simulateScanResultSchema,
  type ContactWayInput, type ContactWayList, type ContactWayListQuery, type ContactWaySaved, type ContactWayView, type SimulateScanResult,
} from '../../../common/contact-way.schema.ts';
import { syncStatusSchema, type SyncStatus } from '../../../common/customers.schema.ts';
import { deleteJson, getJson, postJson, putJson } from './client.ts';

/** `GET /api/contact-ways` (every role): codes with their figures. */
export function listContactWays(query: ContactWayListQuery = {}): Promise<ContactWayList> {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined && value !== '').map(([key, value]) => [key, String(value)]));
  return getJson(`/api/contact-ways${params.size > 0 ? `?${params}` : ''}`, contactWayListSchema);
}

/** `GET /api/contact-ways/members` (admins, marketers): staff who may be put on a code. */
export async function listContactWayMembers(): Promise<Array<{ userid: string; name: string | null }>> {
  return (await getJson('/api/contact-ways/members', contactWayMembersSchema)).members;
}

/** `POST /api/contact-ways`: creates the code in WeCom, then keeps it, and makes its channel tag. */
export function createContactWay(input: ContactWayInput): Promise<ContactWaySaved> {
  return postJson('/api/contact-ways', input, contactWayResponseSchema);
}

/** `PUT /api/contact-ways/:id`: edits the code in WeCom (member lists overwrite), and makes its channel tag. */
export function updateContactWay(id: number, input: ContactWayInput): Promise<ContactWaySaved> {
  return putJson(`/api/contact-ways/${id}`, input, contactWayResponseSchema);
}

/** `DELETE /api/contact-ways/:id`: deletes the code in WeCom, then the row. */
export async function deleteContactWay(id: number): Promise<void> {
  await deleteJson(`/api/contact-ways/${id}`, contactWayDeletedSchema);
}

/** `POST /api/contact-ways/import`: starts importing the codes that already exist in WeCom (or joins the import running). */
export function importContactWays(): Promise<SyncStatus> {
  return postJson('/api/contact-ways/import', {}, syncStatusSchema);
}

/** `GET /api/contact-ways/import`: the current or last import and its progress. */
export function fetchImportStatus(): Promise<SyncStatus> {
  return getJson('/api/contact-ways/import', syncStatusSchema);
}

/** `POST /api/contact-ways/:id/simulate-scan` (development, with the simulator). */
export function simulateScan(id: number, customerName?: string): Promise<SimulateScanResult> {
  return postJson(`/api/contact-ways/${id}/simulate-scan`, customerName ? { customerName } : {}, simulateScanResultSchema);
}

/** Where the QR image of a code is served (through the API: the browser never reaches WeCom's host). */
export function qrImageUrl(id: number, download = false): string {
  return `/api/contact-ways/${id}/qr.png${download ? '?download=1' : ''}`;
}
