import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/ports.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/lib/temporal-dev-server.ts';

/**
 * A Temporal dev server of one test file's own, for tests that stop it (the shared one serves every
 * other file and must not stop): its history is a file, so it comes back on the same port with
 * everything it had.
 */
export interface OwnTemporal {
  address: string;
  /** Stops it (SIGTERM), as an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port and file. */
  start(): Promise<void>;
  /** Stops it if it runs and deletes its file. */
  dispose(): Promise<void>;
}

/** Starts an own Temporal dev server (see OwnTemporal). */
export async function startOwnTemporal(): Promise<OwnTemporal> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'clinic-own-temporal-'));
  const port = await freePort();
  let server: TemporalDevServer | null = null;
  const start = async () => {
    server = await startTemporalDevServer({ port, dbFilename: path.join(root, 'temporal.sqlite'), fastSqlite: true });
  };
  const stop = async () => {
    const running = server;
    server = null;
    await running?.stop();
  };
  await start();
  return {
    address: `127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
