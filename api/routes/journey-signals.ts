import type { EntityManager } from '@mikro-orm/postgresql';
import type { JourneyExitReason } from '../../common/journeys.schema.ts';
import { JourneyEnrollment } from '../../db/entities/index.ts';
import type { Client } from '@temporalio/client';

/**
 * Tells every journey a customer is in that they must leave (they booked, opted out…). Best
 * effort per journey: one that has just ended is not an error.
 */
export async function exitJourneysOf(client: Client, em: EntityManager, customerId: number, reason: JourneyExitReason): Promise<number> {
  const enrollments = await em.find(JourneyEnrollment, { customer: customerId, status: 'active' });
  const results = await Promise.allSettled(enrollments.map((enrollment) =>
    client.workflow.getHandle(enrollment.workflowId).signal<[{ reason: JourneyExitReason }]>('exit', { reason })));
  return results.filter((result) => result.status === 'fulfilled').length;
}
