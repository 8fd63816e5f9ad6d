import { z } from 'zod';
import { deadLetterListSchema, failedEventListSchema, type DeadLetterView, type FailedEventView } from '../../../common/callback-inbox.schema.ts';
import { getJson, postJson } from './client.ts';

/** `GET /api/wework/inbox/dead-letters` (admins): callback events that could not start. */
export async function fetchDeadLetters(): Promise<DeadLetterView[]> {
  return (await getJson('/api/wework/inbox/dead-letters', deadLetterListSchema)).items;
}

/** `POST /api/wework/inbox/dead-letters/:id/retry` (admins): queues a dead letter again. */
export async function retryDeadLetter(id: string): Promise<void> {
  await postJson(`/api/wework/inbox/dead-letters/${encodeURIComponent(id)}/retry`, {}, z.object({ retried: z.boolean() }));
}

/** `GET /api/wework/events/failed` (admins): event workflows that did not complete. */
export async function fetchFailedEvents(): Promise<FailedEventView[]> {
  return (await getJson('/api/wework/events/failed', failedEventListSchema)).items;
}

/** `POST /api/wework/events/rerun` (admins): runs a failed event's workflow again. */
export async function rerunEvent(workflowId: string): Promise<void> {
  await postJson('/api/wework/events/rerun', { workflowId }, z.object({ workflowId: z.string(), started: z.boolean() }));
}
