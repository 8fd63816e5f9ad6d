import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * A customer journey: the steps a customer of one channel (`state`) goes through after onboarding.
 * Its steps live in immutable journey_versions; `currentVersion` is the one new customers start.
 */
export const Journey = defineEntity({
  name: 'Journey',
  tableName: 'journeys',
  properties: {
    ...baseProperties,
    name: p.string().length(100),
    channel: p.string().length(30).unique(),
    active: p.boolean().default(true),
    currentVersion: p.integer().default(1),
  },
});
/** A row of journeys. */
export type IJourney = InferEntity<typeof Journey>;
