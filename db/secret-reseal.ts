import type { EntityManager } from '@mikro-orm/postgresql';
import { WeworkConfig } from './entities/index.ts';
import type { SecretBox } from './secret-box.ts';

const SEALED_FIELDS = ['corpSecretSealed', 'tokenSealed', 'encodingAesKeySealed', 'accessTokenSealed'] as const;

/**
 * After APP_SECRET_KEY was rotated (the old key in APP_SECRET_KEY_PREVIOUS), seals the stored WeCom
 * secrets again under the new key, so the previous key can be dropped at the next deploy.
 * Returns how many values it re-sealed; idempotent, so every API start may run it.
 */
export async function resealWeworkSecrets(em: EntityManager, box: SecretBox): Promise<number> {
  let resealed = 0;
  for (const row of await em.find(WeworkConfig, {})) {
    for (const field of SEALED_FIELDS) {
      const sealed = row[field];
      if (!sealed || !box.isStale(sealed)) continue;
      row[field] = box.seal(box.open(sealed));
      resealed++;
    }
  }
  await em.flush();
  return resealed;
}
