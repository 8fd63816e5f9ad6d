/** Public entry of the WeCom simulator. */
export { createSimulator, startSimulator } from './simulator.ts';
export type { RunningSimulator, Simulator } from './simulator.ts';
export type { SimControls } from './controls.ts';
export { DEMO_OPTIONS } from './options.ts';
export type { SimOptions } from './options.ts';
