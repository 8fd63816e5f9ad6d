import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { usernameSchema } from '../../common/users.schema.ts';
import { DashboardUser } from '../../db/entities/index.ts';
import { recordAudit } from './audit.ts';
import { hashPassword } from './password.ts';

/** What the first-admin step reads from the configuration. */
export interface BootstrapAdminConfig {
  NODE_ENV: 'development' | 'production' | 'test';
  ADMIN_USERNAME?: string | undefined;
  ADMIN_PASSWORD?: string | undefined;
  /** Where a generated first password is written (a 0600 file), never to the log. */
  DATA_DIR: string;
}

/** Where the step reports; `console` in the API. */
export interface BootstrapLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** What happened: nothing (users exist), an admin from the environment or a generated one, or none (production without variables). */
export type BootstrapResult =
  | { created: false; reason: 'users-exist' | 'not-configured' }
  | { created: true; username: string; generatedPassword: string | null; passwordFile: string | null };

/** Lock id so two API processes starting together create one first admin, not two. */
const BOOTSTRAP_LOCK_ID = 724_002;

/**
 * SPEC §3: when no dashboard user exists, create the first admin from ADMIN_USERNAME and
 * ADMIN_PASSWORD; outside production without them, create `admin` with a generated password that
 * is written to a 0600 file under DATA_DIR (the log shows the path, never the password) and must be
 * changed at first sign-in; in production without them, warn how to create one.
 */
export async function bootstrapAdmin(em: EntityManager, config: BootstrapAdminConfig, logger: BootstrapLogger = console): Promise<BootstrapResult> {
  const result = await em.transactional(async (tem): Promise<BootstrapResult> => {
    await tem.getConnection().execute('select pg_advisory_xact_lock(?)', [BOOTSTRAP_LOCK_ID], 'all', tem.getTransactionContext());
    if (await tem.count(DashboardUser, {}) > 0) return { created: false, reason: 'users-exist' };

    let username: string;
    let password: string;
    let generatedPassword: string | null = null;
    if (config.ADMIN_USERNAME && config.ADMIN_PASSWORD) {
      const parsed = usernameSchema.safeParse(config.ADMIN_USERNAME);
      if (!parsed.success) {
        logger.warn(`[api] ADMIN_USERNAME is not a valid username (${parsed.error.issues[0]!.message}); no admin was created.`);
        return { created: false, reason: 'not-configured' };
      }
      username = parsed.data;
      password = config.ADMIN_PASSWORD;
    } else if (config.NODE_ENV !== 'production') {
      username = 'admin';
      generatedPassword = randomBytes(12).toString('base64url');
      password = generatedPassword;
    } else {
      return { created: false, reason: 'not-configured' };
    }
    const user = tem.create(DashboardUser, {
      username, role: 'admin', displayName: null, passwordHash: await hashPassword(password), mustChangePassword: generatedPassword !== null,
    });
    await tem.flush();
    await recordAudit(tem, {
      actor: { id: null, username: null }, action: 'user.create', target: { type: 'user', id: user.id },
      details: { username, role: 'admin', source: generatedPassword ? 'generated' : 'ADMIN_USERNAME' }, ip: null,
    });
    return { created: true, username, generatedPassword, passwordFile: generatedPassword ? writePasswordFile(config.DATA_DIR, username, generatedPassword) : null };
  });

  if (result.created && result.passwordFile) {
    logger.log([
      '',
      '  ┌──────────────────────────────────────────────────────────────',
      `  │ 首次登录 / first sign-in: ${result.username}, password in ${result.passwordFile}`,
      '  │ 首次登录后必须修改密码。 You must change it at first sign-in.',
      '  └──────────────────────────────────────────────────────────────',
      '',
    ].join('\n'));
  } else if (result.created) {
    logger.log(`[api] created the first dashboard admin "${result.username}" from ADMIN_USERNAME / ADMIN_PASSWORD`);
  } else if (result.reason === 'not-configured' && !(config.ADMIN_USERNAME && config.ADMIN_PASSWORD)) {
    logger.warn('[api] WARNING: no dashboard user exists and nobody can sign in. Set ADMIN_USERNAME and ADMIN_PASSWORD (at least 8 characters) and restart the API to create the first admin.');
  }
  return result;
}

/** Writes the generated password readable by the owner only; returns the file's path. */
function writePasswordFile(dataDir: string, username: string, password: string): string {
  const file = path.resolve(dataDir, 'initial-admin-password.txt');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${username}\n${password}\n`, { mode: 0o600 });
  return file;
}
