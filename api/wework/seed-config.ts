import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config.ts';
import type { SecretBox } from '../../db/secret-box.ts';
import { differingWeworkFields, saveWeworkCredentials } from '../../db/wework-config.store.ts';

/** What happened to the WECOM_* variables at start. */
export type SeedOutcome = 'not-given' | 'incomplete' | 'seeded' | 'same-as-stored' | 'stored-kept';

/**
 * WECOM_* variables seed the WeCom configuration (SPEC §3) only when none is stored: once an admin
 * has saved or rotated a Secret in the dashboard, a restart must not silently put the old one back.
 * When they differ from the stored configuration, a warning names the fields (never the values).
 */
export async function seedWeworkConfigFromEnv(
  config: Pick<AppConfig, 'WECOM_CORP_ID' | 'WECOM_CORP_SECRET' | 'WECOM_AGENT_ID' | 'WECOM_TOKEN' | 'WECOM_ENCODING_AES_KEY'>,
  em: EntityManager,
  box: SecretBox,
  logger: Pick<Console, 'log' | 'warn'> = console,
): Promise<SeedOutcome> {
  const { WECOM_CORP_ID, WECOM_CORP_SECRET, WECOM_AGENT_ID, WECOM_TOKEN, WECOM_ENCODING_AES_KEY } = config;
  const given = [WECOM_CORP_ID, WECOM_CORP_SECRET, WECOM_AGENT_ID, WECOM_TOKEN, WECOM_ENCODING_AES_KEY];
  if (given.every((value) => value === undefined)) return 'not-given';
  if (given.some((value) => value === undefined)) {
    logger.warn('[api] some WECOM_* variables are set but not all five; the WeCom configuration was not seeded.');
    return 'incomplete';
  }
  const credentials = {
    corpId: WECOM_CORP_ID!, corpSecret: WECOM_CORP_SECRET!, agentId: WECOM_AGENT_ID!, token: WECOM_TOKEN!, encodingAesKey: WECOM_ENCODING_AES_KEY!,
  };
  const differing = await differingWeworkFields(em, box, credentials);
  if (differing === null) {
    await saveWeworkCredentials(em, box, credentials);
    logger.log('[api] seeded the WeCom configuration from WECOM_* variables');
    return 'seeded';
  }
  if (differing.length === 0) return 'same-as-stored';
  logger.warn(`[api] WARNING: WECOM_* variables differ from the stored WeCom configuration (${differing.join(', ')}); the stored one (saved in the dashboard) is kept. Remove WECOM_* or update them to match.`);
  return 'stored-kept';
}
