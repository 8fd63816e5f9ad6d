import { defineQuery } from '@temporalio/workflow';
import { SYNC_PROGRESS_QUERY, type SyncProgress } from '../common/customers.schema.ts';

/** The sync's progress (phase, pages, customers, estimated total); the API's GET /sync asks it. */
export const syncProgressQuery = defineQuery<SyncProgress>(SYNC_PROGRESS_QUERY);
