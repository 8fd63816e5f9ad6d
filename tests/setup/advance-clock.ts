import { Connection, type ConnectionOptions } from '@temporalio/client';
// Internal: the option that gives a Connection the test service (unlockTimeSkippingWithSleep).
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

/**
 * Moves a time-skipping server's clock to `until` a simulated day at a time, and answers how many
 * sleeps stalled. Explicit sleeps fire every timer in order and wait for the work each one starts;
 * waiting on a long workflow's result alone sometimes stalls (the clock stops with nothing
 * running), and so, now and then, does a sleep whose answer never comes although the server is
 * free, with later sleeps on that connection. A sleep that has not moved the clock in 30 s is
 * given again on a new connection.
 */
export async function advanceClock(env: TestWorkflowEnvironment, until: number): Promise<number> {
  const connect = () => Connection.connect({ address: env.address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } } as ConnectionOptions);
  let connection = await connect();
  let stalls = 0;
  try {
    for (let now = await env.currentTimeMs(); now < until; now = await env.currentTimeMs()) {
      const slept = connection.testService!.unlockTimeSkippingWithSleep({ duration: msToTs(Math.min(86_400_000, until - now)) }).then(() => true, () => true);
      if (await Promise.race([slept, new Promise<false>((resolve) => setTimeout(() => resolve(false), 30_000))])) continue;
      if ((await env.currentTimeMs()) > now) continue;
      stalls += 1;
      void connection.close().catch(() => undefined);
      connection = await connect();
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  return stalls;
}
