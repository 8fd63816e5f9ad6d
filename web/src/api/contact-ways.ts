import {
  contactWayDeletedSchema, contactWayImportResultSchema, contactWayListSchema, contactWayMembersSchema, contactWayResponseSchema, simulateScanResultSchema,
  type ContactWayImportResult, type ContactWayInput, type ContactWayList, type ContactWayListQuery, type ContactWayView, type SimulateScanResult,
} from '../../../common/contact-way.schema.ts';
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

/** `POST /api/contact-ways`: creates the code in WeCom, then keeps it. */
export async function createContactWay(input: ContactWayInput): Promise<ContactWayView> {
  return (await postJson('/api/contact-ways', input, contactWayResponseSchema)).contactWay;
}

/** `PUT /api/contact-ways/:id`: edits the code in WeCom (member lists overwrite). */
export async function updateContactWay(id: number, input: ContactWayInput): Promise<ContactWayView> {
  return (await putJson(`/api/contact-ways/${id}`, input, contactWayResponseSchema)).contactWay;
}

/** `DELETE /api/contact-ways/:id`: deletes the code in WeCom, then the row. */
export async function deleteContactWay(id: number): Promise<void> {
  await deleteJson(`/api/contact-ways/${id}`, contactWayDeletedSchema);
}

/** `POST /api/contact-ways/import`: the codes that already exist in WeCom. */
export function importContactWays(): Promise<ContactWayImportResult> {
  return postJson('/api/contact-ways/import', {}, contactWayImportResultSchema);
}

/** `POST /api/contact-ways/:id/simulate-scan` (development, with the simulator). */
export function simulateScan(id: number, customerName?: string): Promise<SimulateScanResult> {
  return postJson(`/api/contact-ways/${id}/simulate-scan`, customerName ? { customerName } : {}, simulateScanResultSchema);
}

/** Where the QR image of a code is served (through the API: the browser never reaches WeCom's host). */
export function qrImageUrl(id: number, download = false): string {
  return `/api/contact-ways/${id}/qr.png${download ? '?download=1' : ''}`;
}
