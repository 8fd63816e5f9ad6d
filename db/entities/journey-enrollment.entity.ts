import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';
import { Journey } from './journey.entity.ts';
import { WeworkCustomer } from './wework-customer.entity.ts';

/**
 * One customer in one journey (one workflow): the version they started with and the step they are
 * on, written by the journey workflow as it moves, so the dashboard can count customers per step.
 */
export const JourneyEnrollment = defineEntity({
  name: 'JourneyEnrollment',
  tableName: 'journey_enrollments',
  indexes: [{ properties: ['journey', 'version', 'status', 'stepIndex'] }],
  properties: {
    ...baseProperties,
    journey: () => p.manyToOne(Journey).deleteRule('cascade'),
    version: p.integer(),
    customer: () => p.manyToOne(WeworkCustomer).deleteRule('cascade').index(),
    staffUserid: p.string().length(64),
    workflowId: p.string().length(200).unique(),
    stepIndex: p.integer().default(0),
    status: p.enum(['active', 'completed', 'exited'] as const).default('active'),
    exitReason: p.string().length(32).nullable(),
    waitingUntil: p.datetime().nullable(),
  },
});
/** A row of journey_enrollments. */
export type IJourneyEnrollment = InferEntity<typeof JourneyEnrollment>;
