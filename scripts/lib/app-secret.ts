import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Development only: reads the key that encrypts secrets at rest from `<dataDir>/app-secret.key`,
 * generating it on first run so the data of one run stays readable in the next.
 */
export function readOrCreateDevSecretKey(dataDir: string): string {
  const file = path.join(dataDir, 'app-secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
