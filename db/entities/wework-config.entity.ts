import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';

/**
 * The clinic's WeCom app credentials (seed §4.1). Secret, callback token, AES key and the cached
 * access token are stored sealed with APP_SECRET_KEY (db/secret-box.ts), never in plain text.
 */
export const WeworkConfig = defineEntity({
  name: 'WeworkConfig',
  tableName: 'wework_config',
  properties: {
    ...baseProperties,
    corpId: p.string().length(64),
    corpSecretSealed: p.text(),
    agentId: p.string().length(32),
    tokenSealed: p.text(),
    encodingAesKeySealed: p.text(),
    accessTokenSealed: p.text().nullable(),
    accessTokenExpiresAt: p.datetime().nullable(),
  },
});
/** A row of wework_config. */
export type IWeworkConfig = InferEntity<typeof WeworkConfig>;
