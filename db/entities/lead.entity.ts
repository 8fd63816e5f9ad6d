import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';
import { CHANNEL_LEAD_TRIGGERS } from './stats-totals.entity.ts';
import { Tag } from './tag.entity.ts';

/** A sales lead (线索); `source` is `wework_<state>` for customers who came through a channel code. */
export const Lead = defineEntity({
  name: 'Lead',
  tableName: 'leads',
  // Leads per channel (stats-totals.entity.ts).
  triggers: CHANNEL_LEAD_TRIGGERS,
  properties: {
    ...baseProperties,
    name: p.string().length(255).nullable(),
    phone: p.string().length(32).nullable(),
    source: p.string().length(64).index(),
    status: p.enum(['new', 'contacted', 'booked', 'converted', 'lost'] as const).default('new').index(),
    tags: () => p.manyToMany(Tag).pivotTable('lead_tags'),
  },
});
/** A row of leads. */
export type ILead = InferEntity<typeof Lead>;
