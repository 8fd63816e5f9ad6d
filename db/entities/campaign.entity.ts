import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Audience, CampaignStatus, Content, Schedule } from '../../common/campaigns.schema.ts';
import { baseProperties } from './base.ts';

/**
 * A campaign (群发) as the marketer edits it. Each launch copies audience and content into a
 * send_runs row, so an edit never changes what a running send delivers; `version` counts edits.
 */
export const Campaign = defineEntity({
  name: 'Campaign',
  tableName: 'campaigns',
  indexes: [{ properties: ['status', 'id'] }],
  properties: {
    ...baseProperties,
    name: p.string().length(100),
    audience: p.json<Audience>(),
    content: p.json<Content>(),
    schedule: p.json<Schedule>().nullable(),
    status: p.string().length(16).$type<CampaignStatus>().default('draft'),
    version: p.integer().default(1),
    /** The latest run (send_runs.id), null before the first launch. */
    currentRunId: p.integer().nullable(),
    createdBy: p.integer().nullable(),
    launchedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
/** A row of campaigns. */
export type ICampaign = InferEntity<typeof Campaign>;

