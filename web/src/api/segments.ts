import { z } from 'zod';
import { segmentListSchema, segmentSchema, type Segment, type SegmentInput } from '../../../common/segments.schema.ts';
import { deleteJson, getJson, postJson, putJson } from './client.ts';

/** `GET /api/segments`: every saved segment, by name. */
export async function listSegments(): Promise<Segment[]> {
  return (await getJson('/api/segments', segmentListSchema)).items;
}

/** `POST /api/segments` (admin, marketer). */
export function createSegment(input: SegmentInput): Promise<Segment> {
  return postJson('/api/segments', input, segmentSchema);
}

/** `PUT /api/segments/:id` (admin, marketer). */
export function updateSegment(id: number, input: SegmentInput): Promise<Segment> {
  return putJson(`/api/segments/${id}`, input, segmentSchema);
}

/** `DELETE /api/segments/:id` (admin, marketer). */
export async function deleteSegment(id: number): Promise<void> {
  await deleteJson(`/api/segments/${id}`, z.object({ ok: z.literal(true) }));
}
