import type { EntityManager } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';

/**
 * Takes one slot of a per-minute window shared by every worker (a row in rate_windows), waiting
 * (and heartbeating) for the next minute when the window is full. WeCom's quotas are per corp, so
 * the count must be shared, not per process.
 */
export async function takeRateSlot(em: EntityManager, key: string, perMinute: number): Promise<void> {
  for (;;) {
    const [row] = await em.getConnection().execute<Array<{ used: number; window_start: Date }>>(
      `insert into rate_windows (key, window_start, used) values (?, date_trunc('minute', now()), 1)
       on conflict (key) do update set
         used = case when rate_windows.window_start < date_trunc('minute', now()) then 1 else rate_windows.used + 1 end,
         window_start = date_trunc('minute', now())
       returning used, window_start`, [key]);
    if (row && row.used <= perMinute) return;
    const waitMs = new Date(row!.window_start).getTime() + 60_000 - Date.now();
    Context.current().heartbeat();
    await new Promise((resolve) => setTimeout(resolve, Math.max(200, Math.min(waitMs, 5_000))));
  }
}
