/** Every workflow the worker runs; the worker bundles this file (and only what it imports). */
export { healthProbeWorkflow } from './health-probe.workflow.ts';
