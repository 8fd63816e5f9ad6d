import { proxyActivities } from '@temporalio/workflow';
import type { CustomerTagsInput } from '../common/customers.schema.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';

const wecom = proxyActivities<Activities>(activityPresets.dashboardEdit);

/**
 * A marketer added or removed tags on a customer in the dashboard: create missing corp tags in
 * WeCom, mark_tag for every staff member who follows the customer, then store the tags locally.
 * A workflow (not the API) does it, so a WeCom outage is retried instead of lost.
 */
export async function customerTagsWorkflow(input: CustomerTagsInput): Promise<{ tagIds: number[]; markedFor: number }> {
  return wecom.applyCustomerTags({ customerId: input.customerId, add: input.add, remove: input.remove });
}
