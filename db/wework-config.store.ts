import type { EntityManager } from '@mikro-orm/postgresql';
import { WeworkConfig } from './entities/index.ts';
import type { SecretBox } from './secret-box.ts';

/** The WeCom credentials as entered by an admin or given in WECOM_* variables. */
export interface WeworkCredentials {
  corpId: string;
  corpSecret: string;
  agentId: string;
  token: string;
  encodingAesKey: string;
}

/** What may be shown about the configuration: no secret ever leaves the database unsealed here. */
export interface WeworkConfigSummary {
  configured: boolean;
  corpId: string | null;
  agentId: string | null;
  accessTokenExpiresAt: Date | null;
}

/** Creates or replaces the single WeCom configuration row, sealing every secret. */
export async function saveWeworkCredentials(em: EntityManager, box: SecretBox, credentials: WeworkCredentials): Promise<void> {
  const existing = await em.findOne(WeworkConfig, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
  const sealed = {
    corpId: credentials.corpId,
    agentId: credentials.agentId,
    corpSecretSealed: box.seal(credentials.corpSecret),
    tokenSealed: box.seal(credentials.token),
    encodingAesKeySealed: box.seal(credentials.encodingAesKey),
  };
  if (existing) {
    const secretChanged = existing.corpId !== credentials.corpId || box.open(existing.corpSecretSealed) !== credentials.corpSecret;
    em.assign(existing, {
      ...sealed,
      // A token minted for other credentials must not be used for these.
      ...(secretChanged ? { accessTokenSealed: null, accessTokenExpiresAt: null } : {}),
    });
  } else {
    em.create(WeworkConfig, sealed);
  }
  await em.flush();
}

/** Reads what the dashboard and health check may know about the configuration. */
export async function readWeworkConfigSummary(em: EntityManager): Promise<WeworkConfigSummary> {
  const row = await em.findOne(WeworkConfig, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
  return {
    configured: Boolean(row?.corpId && row.corpSecretSealed),
    corpId: row?.corpId ?? null,
    agentId: row?.agentId ?? null,
    accessTokenExpiresAt: row?.accessTokenExpiresAt ?? null,
  };
}

/**
 * Which fields of `credentials` differ from the stored configuration (names only, never values),
 * or null when none is stored.
 */
export async function differingWeworkFields(em: EntityManager, box: SecretBox, credentials: WeworkCredentials): Promise<Array<keyof WeworkCredentials> | null> {
  const row = await em.findOne(WeworkConfig, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
  if (!row) return null;
  const stored: WeworkCredentials = {
    corpId: row.corpId, agentId: row.agentId, corpSecret: box.open(row.corpSecretSealed), token: box.open(row.tokenSealed), encodingAesKey: box.open(row.encodingAesKeySealed),
  };
  return (Object.keys(credentials) as Array<keyof WeworkCredentials>).filter((field) => stored[field] !== credentials[field]);
}
