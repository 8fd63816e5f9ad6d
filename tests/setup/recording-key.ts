/**
 * The APP_SECRET_KEY the history recorder (tests/integration/record-histories.test.ts) runs the
 * product with: recorded histories carry payloads encrypted with it, and the replay test
 * (tests/unit/workflow-replay.test.ts) decodes them with it. A test constant, never a real key.
 */
export const RECORDING_SECRET_KEY = Buffer.alloc(32, 11);
