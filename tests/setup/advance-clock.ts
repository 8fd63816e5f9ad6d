import { Connection, type ConnectionOptions, type WorkflowHandle } from '@temporalio/client';
// Internal: the option that gives a Connection the test service (unlockTimeSkippingWithSleep).
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection.js';
import { msToTs, tsToMs } from '@temporalio/common/lib/time.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

/** How long one call to the test server may take before it counts as stalled. */
const STALL_MS = 30_000;
/** How long the clock may move only as fast as real time, during a sleep with every workflow waiting, before a lost lock is given back. */
const WALL_SPEED_MS = 10_000;

/** `promise`'s value, or undefined when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); })])
    .finally(() => clearTimeout(timer));
}

/**
 * Moves a time-skipping server's clock to `until` (or `by` ms from now) a simulated day at a time, and answers how many
 * calls stalled. Explicit sleeps fire every timer in order and wait for the work each one starts;
 * waiting on a long workflow's result alone sometimes stalls (the clock stops with nothing
 * running), and so, now and then, does a call whose answer never comes although the server is
 * free, with later calls on that connection. Every call here (the clock's reading included) that
 * has not answered in 30 s is given again on a new connection, and a lock the server never gave
 * back is released (sleepOut).
 */
export async function advanceClock(env: TestWorkflowEnvironment, target: number | { by: number }): Promise<number> {
  const connect = async (): Promise<Connection> => {
    for (;;) {
      const connection = await within(Connection.connect({ address: env.address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } } as ConnectionOptions), STALL_MS);
      if (connection) return connection;
    }
  };
  let connection = await connect();
  let stalls = 0;
  const stalled = async () => {
    stalls += 1;
    void connection.close().catch(() => undefined);
    connection = await connect();
  };
  const clock = async (): Promise<number | undefined> => {
    const answer = await within(connection.testService!.getCurrentTime({}), STALL_MS);
    return answer?.time ? tsToMs(answer.time) : undefined;
  };
  /**
   * Waits for one sleep, watching the clock. A clock that stands still for 30 s is a stall
   * (false). A clock that moves only as fast as real time for 10 s, while the sleep has unlocked
   * time skipping, means a lock the server took and never gave back (seen now and then after a
   * day's send run, every workflow then waiting on a timer and no activity running; the
   * server's locks for its own work last milliseconds here): one unlock gives it back, and the
   * sleep goes on. The server accepts any unlock, so this is the only place that gives one.
   */
  const sleepOut = async (slept: Promise<boolean>, from: number): Promise<boolean> => {
    let last = from;
    let lastMove = Date.now();
    let wallSpeedSince: number | null = null;
    for (;;) {
      if (await within(slept, 1_000)) return true;
      const time = await clock();
      if (time === undefined) return false;
      const real = Date.now();
      if (time > last + 5_000) wallSpeedSince = null;
      else if (time > last) wallSpeedSince ??= real;
      if (time > last) lastMove = real;
      else if (real - lastMove > STALL_MS) return false;
      if (wallSpeedSince !== null && real - wallSpeedSince > WALL_SPEED_MS) {
        await within(connection.testService!.unlockTimeSkipping({}).catch(() => undefined), STALL_MS);
        wallSpeedSince = null;
      }
      last = time;
    }
  };
  let until = typeof target === 'number' ? target : undefined;
  try {
    for (;;) {
      const now = await clock();
      if (now === undefined) {
        await stalled();
        continue;
      }
      until ??= now + (target as { by: number }).by;
      if (now >= until) break;
      const slept = connection.testService!.unlockTimeSkippingWithSleep({ duration: msToTs(Math.min(86_400_000, until - now)) }).then(() => true, () => true);
      if (!(await sleepOut(slept, now))) await stalled();
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  return stalls;
}

/**
 * The result of a workflow the clock has been moved past, without waiting on it alone (which can
 * stall the test server): while it is not closed, the clock moves on an hour at a time.
 */
export async function resultOnceClosed<T>(env: TestWorkflowEnvironment, handle: WorkflowHandle & { result(): Promise<T> }): Promise<T> {
  for (;;) {
    const description = await within(handle.describe(), STALL_MS);
    if (description && description.status.name !== 'RUNNING') return handle.result();
    await advanceClock(env, { by: 3_600_000 });
  }
}
