/**
 * CLI: `node sim/main.ts` serves the WeCom simulator.
 * SIM_PORT (default 3100), SIM_HOST (default 127.0.0.1), SIM_CALLBACK_URL (where callbacks go),
 * SIM_PUBLIC_URL (base of QR links), SIM_STATE_FILE (JSON persistence), SIM_CUSTOMERS (seeded count).
 */
import { createLogger } from '../logging/logger.ts';
import { startSimulator } from './simulator.ts';

const log = createLogger('sim');

const env = process.env;
const sim = await startSimulator({
  port: Number(env.SIM_PORT ?? 3100),
  host: env.SIM_HOST ?? '127.0.0.1',
  callbackUrl: env.SIM_CALLBACK_URL || undefined,
  publicUrl: env.SIM_PUBLIC_URL || undefined,
  stateFile: env.SIM_STATE_FILE || undefined,
  customers: env.SIM_CUSTOMERS ? Number(env.SIM_CUSTOMERS) : undefined,
});
const o = sim.ctx.options;
log.notice(`WeCom simulator listening on ${sim.url}`);
log.notice(`corpid=${o.corpId} agentid=${o.agentId} callback=${o.callbackUrl ?? '(none)'} customers=${sim.state.customers.size}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(() => process.exit(0));
  });
}
