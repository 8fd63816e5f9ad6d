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
  // The worker evaluates every bundled module again for each workflow run (a module cache per run):
  // zod in the bundle cost the worker more CPU than the workflows themselves (bench/README.md).
  if (/node_modules\/zod\//.test(code)) {
    console.error('workflow bundle FAILED: it contains zod. A workflow imports a value from a common/*.schema.ts module; move that value to a zod-free module (see common/workflow-handler-names.ts) and import types with `import type`.');
    process.exit(1);
  }
  console.log(`workflow bundle OK: ${(code.length / 1024).toFixed(0)} KiB in ${Math.round(performance.now() - started)} ms`);
} catch (error) {
  console.error(`workflow bundle FAILED: ${(error as Error).message}`);
  process.exit(1);
}
