import type { EntityManager } from '@mikro-orm/postgresql';
import type { JourneyExitReason } from '../../common/journeys.schema.ts';
import { JourneyEnrollment } from '../../db/entities/index.ts';
import type { IJourneyEnrollment } from '../../db/entities/journey-enrollment.entity.ts';
import type { Client } from '@temporalio/client';

// Best effort per journey: one that has just ended is not an error.
async function signalExit(client: Client, enrollments: IJourneyEnrollment[], reason: JourneyExitReason): Promise<number> {
  const results = await Promise.allSettled(enrollments.map((enrollment) =>
    client.workflow.getHandle(enrollment.workflowId).signal<[{ reason: JourneyExitReason }]>('exit', { reason })));
  return results.filter((result) => result.status === 'fulfilled').length;
}

/** Tells every journey a customer is in that they must leave (they booked, opted out…). */
export async function exitJourneysOf(client: Client, em: EntityManager, customerId: number, reason: JourneyExitReason): Promise<number> {
  return signalExit(client, await em.find(JourneyEnrollment, { customer: customerId, status: 'active' }), reason);
}

/**
 * Withdrawn marketing consent ends the customers' journeys at once rather than at their next step
 * (consent is keyed by WeCom id, enrollments by customer row, hence the join).
 */
export async function exitJourneysOnOptOut(client: Client, em: EntityManager, externalUserIds: string[]): Promise<number> {
  if (externalUserIds.length === 0) return 0;
  const enrollments = await em.find(JourneyEnrollment, { customer: { externalUserid: { $in: externalUserIds } }, status: 'active' });
  return signalExit(client, enrollments, 'opted_out');
}
