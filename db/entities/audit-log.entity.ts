import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Who did what, when (SPEC §5 "audit who sent what to whom"). The actor is copied as id and
 * username rather than a foreign key, so the record outlives any change to the user. `details`
 * never holds a password, token or secret.
 */
export const AuditLog = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_logs',
  properties: {
    id: p.integer().primary(),
    createdAt: p.datetime().onCreate(() => new Date()).index(),
    actorUserId: p.integer().nullable().index(),
    actorUsername: p.string().length(200).nullable(),
    action: p.string().length(64).index(),
    targetType: p.string().length(64).nullable(),
    targetId: p.string().length(64).nullable(),
    details: p.json<Record<string, unknown>>().default('{}'),
    ip: p.string().length(64).nullable(),
  },
});
/** A row of audit_logs. */
export type IAuditLog = InferEntity<typeof AuditLog>;
