import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { JourneyStep } from '../../common/journeys.schema.ts';
import { baseProperties } from './base.ts';
import { Journey } from './journey.entity.ts';

/** One saved version of a journey's steps; never changed once written (running customers keep it). */
export const JourneyVersion = defineEntity({
  name: 'JourneyVersion',
  tableName: 'journey_versions',
  uniques: [{ properties: ['journey', 'version'] }],
  properties: {
    ...baseProperties,
    journey: () => p.manyToOne(Journey).deleteRule('cascade'),
    version: p.integer(),
    steps: p.json<JourneyStep[]>(),
  },
});
/** A row of journey_versions. */
export type IJourneyVersion = InferEntity<typeof JourneyVersion>;
