/** The one task queue every workflow and activity of the product runs on (split later by workload if needed). */
export const MAIN_TASK_QUEUE = 'clinic-main';
