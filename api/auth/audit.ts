import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditAction } from '../../common/users.schema.ts';
import { AuditLog } from '../../db/entities/index.ts';

/** One audit record to write. Never put a password, token or secret in `details`. */
export interface AuditEntry {
  actor: { id: number | null; username: string | null };
  action: AuditAction;
  target?: { type: string; id: string | number };
  details?: Record<string, unknown>;
  ip: string | null;
}

/** Keys that must never reach the audit log, whatever a caller passes. */
const SECRET_KEY = /pass|secret|token|hash|aes/i;

function withoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !SECRET_KEY.test(key)));
}

/** Writes one audit record. */
export async function recordAudit(em: EntityManager, entry: AuditEntry): Promise<void> {
  em.create(AuditLog, {
    actorUserId: entry.actor.id,
    actorUsername: entry.actor.username?.slice(0, 200) ?? null,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target ? String(entry.target.id) : null,
    details: withoutSecrets(entry.details ?? {}),
    ip: entry.ip?.slice(0, 64) ?? null,
  });
  await em.flush();
}
