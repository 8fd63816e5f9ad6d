import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { encryptedDataConverter, payloadCodec } from '../../encryption/data-converter.ts';
import * as workflows from '../../workflows/index.ts';
import { RECORDING_SECRET_KEY } from '../setup/recording-key.ts';

/**
 * Every recorded history (tests/fixtures/histories, re-recorded with `npm run record:histories`)
 * must replay against today's workflow code: a change that would break running workflows (a
 * command added, removed or reordered without patched()) fails here, in CI, not in production.
 * Histories recorded since the payload codec are encrypted with RECORDING_SECRET_KEY; older plain
 * ones pass through the codec's decode unchanged.
 */

Runtime.install({ logger: new DefaultLogger('WARN') });

const HISTORIES = new URL('../fixtures/histories/', import.meta.url);
const files = readdirSync(HISTORIES).filter((name) => name.endsWith('.json')).sort();
const historyOf = (file: string) => historyFromJSON(JSON.parse(readFileSync(new URL(file, HISTORIES), 'utf8')));
const dataConverter = encryptedDataConverter(payloadCodec({ current: RECORDING_SECRET_KEY }));

async function replay(workflowsPath: string, chosen: string[]) {
  const results: Array<{ file: string; error: string | null }> = [];
  const histories = chosen.map((file) => ({ workflowId: file, history: historyOf(file) }));
  for await (const result of Worker.runReplayHistories({ workflowsPath, dataConverter }, histories)) {
    results.push({ file: result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
  }
  return results;
}

describe('recorded workflow histories', () => {
  it('include a history of every workflow the worker runs', () => {
    expect(files.map((file) => file.replace(/(\.[^.]+)?\.json$/, '')).filter((name, i, all) => all.indexOf(name) === i))
      .toEqual(Object.keys(workflows).sort());
  });

  it('all replay against the current workflow code', async () => {
    const results = await replay(fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), files);
    expect(results).toEqual(files.map((file) => ({ file, error: null })));
  }, 120_000);

  it('catch a change of command order made without patched()', async () => {
    const results = await replay(fileURLToPath(new URL('../fixtures/reordered-workflows/index.ts', import.meta.url)), ['onboardCustomerWorkflow.json']);
    expect(results).toHaveLength(1);
    expect(results[0]!.error).toMatch(/DeterminismViolation|[Nn]ondetermin/);
  }, 120_000);
});
