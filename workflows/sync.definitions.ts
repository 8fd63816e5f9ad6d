import { defineQuery } from '@temporalio/workflow';
import type { SyncProgress } from '../common/customers.schema.ts';
import { SYNC_PROGRESS_QUERY } from '../common/workflow-handler-names.ts';

/** The sync's progress (phase, pages, customers, estimated total); the API's GET /sync asks it. */
export const syncProgressQuery = defineQuery<SyncProgress>(SYNC_PROGRESS_QUERY);
