import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openOrm } from '../../db/orm.ts';
import { makeEnterable, startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server.ts';
import { bundleWorkflowsApart } from '../../worker.ts';
import { TEST_NAMESPACES } from './test-namespaces.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the migrated template database; tests clone it (tests/setup/database.ts). */
    templateDatabaseUrl: string;
    temporalAddress: string;
    temporalUiUrl: string;
    /** Folder where each test file claims one of TEST_NAMESPACES (tests/setup/namespace.ts). */
    namespaceClaimDir: string;
    /** The product's workflow bundle, built once per run as `node worker.ts` builds it (tests/setup/temporal.ts). */
    workflowBundlePath: string;
  }
}

/** Name of the migrated database every test database is cloned from. */
export const TEMPLATE_DATABASE = 'clinic_template';

/**
 * Once per run: a real PostgreSQL (embedded, throw-away) with the committed migrations applied,
 * and a real Temporal dev server (in-memory, with its Web UI) — the parts integration tests use.
 */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'clinic-test-'));
  makeEnterable(root);
  // Every test file's workers share one bundle: bundling per file cost ~2 s of webpack each.
  const bundling = bundleWorkflowsApart();
  bundling.catch(() => undefined); // awaited below; this only keeps a failure from being reported as unhandled first
  const [database, temporal] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), port: await freePort(), database: TEMPLATE_DATABASE }),
    (async () => startTemporalDevServer({ port: await freePort(), uiPort: await freePort(), fastSqlite: true, extraNamespaces: TEST_NAMESPACES }))(),
  ]);
  let workflowBundlePath: string;
  try {
    const orm = await openOrm(database.url);
    await migrateToLatest(orm);
    await orm.close();
    workflowBundlePath = await bundling;
  } catch (error) {
    // A broken migration must not leave the servers running behind a failed run.
    await Promise.allSettled([temporal.stop(), database.stop()]);
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  project.provide('templateDatabaseUrl', database.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalUiUrl', temporal.uiUrl ?? '');
  const claims = path.join(root, 'namespace-claims');
  mkdirSync(claims);
  project.provide('namespaceClaimDir', claims);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal.stop();
    await database.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(path.dirname(workflowBundlePath), { recursive: true, force: true });
  };
}
