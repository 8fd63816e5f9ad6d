/**
 * Writes the worker's workflow bundle to the path given as the first argument. `worker.ts` runs it
 * as a child process, so the worker itself never loads webpack: bundling in-process left ~100 MB of
 * bundler modules and heap in the worker for its whole life (bench/campaign-send.ts).
 */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../encryption/data-converter.ts';
import { WORKFLOWS_PATH } from '../worker.ts';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/bundle-workflows.ts <output file>');
  process.exit(2);
}
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('WARN') });
writeFileSync(out, code);
