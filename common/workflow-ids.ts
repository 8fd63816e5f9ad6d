/**
 * Workflow ids are business keys: the same business fact always maps to the same id, so starting it
 * twice is a no-op ("already started" is success).
 */
export const workflowIds = {
  /** One probe at a time per task queue: concurrent health checks share the running one. */
  healthProbe: (taskQueue: string) => `health-probe:${taskQueue}`,
};
