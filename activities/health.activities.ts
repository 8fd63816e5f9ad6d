import os from 'node:os';
import type { ActivityDeps } from './deps.ts';

/** What the worker reports about itself when the health probe reaches it. */
export interface WorkerProbeReport {
  identity: string;
  databaseOk: boolean;
  databaseError?: string;
}

/** Activities that let the API prove a worker is alive and can reach the database. */
export function createHealthActivities(deps: ActivityDeps) {
  return {
    /** Answers the health probe: who this worker is and whether its database pool works. */
    async probeWorker(): Promise<WorkerProbeReport> {
      const identity = `${os.hostname()}:${process.pid}`;
      try {
        await deps.orm.em.fork().getConnection().execute('select 1');
        return { identity, databaseOk: true };
      } catch (error) {
        return { identity, databaseOk: false, databaseError: (error as Error).message };
      }
    },
  };
}
