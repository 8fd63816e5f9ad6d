/**
 * Bundles workflows/ exactly as the worker does. Fails (exit 1) when a workflow imports something
 * the Temporal sandbox cannot run (Node built-ins, the database, …), so CI catches it before a
 * worker does at start-up.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../encryption/data-converter.ts';
import { WORKFLOWS_PATH } from '../worker.ts';

const started = performance.now();
try {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('WARN') });
  console.log(`workflow bundle OK: ${(code.length / 1024).toFixed(0)} KiB in ${Math.round(performance.now() - started)} ms`);
} catch (error) {
  console.error(`workflow bundle FAILED: ${(error as Error).message}`);
  process.exit(1);
}
