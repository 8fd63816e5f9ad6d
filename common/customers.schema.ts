import { z } from 'zod';
import { CUSTOMER_TIERS } from './campaigns.schema.ts';

/**
 * The customers API (`/api/customers`) and the sync API (`/api/sync`): queries, bodies and answers,
 * shared by the API (validation) and the dashboard (typed, validated client).
 */

const optionalText = (max: number) => z.string().trim().max(max).optional().transform((value) => (value ? value : undefined));
const dateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'use the date format YYYY-MM-DD' }).optional();

/** A list of tag ids, from the URL (`3,7`) or from JSON (`[3, 7]`). */
const idList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').filter((part) => part.trim() !== '') : value),
  z.array(z.coerce.number().int().positive()).max(50),
).optional();

/**
 * Who a customer filter selects: the list's filters, a saved segment's `filter` (`/api/segments`)
 * and a campaign's audience all use this one shape. Every field narrows the set (AND).
 */
export const customerFilterSchema = z.object({
  /** Part of the name, the external userid or a staff member's remark. */
  q: optionalText(64),
  /** The channel code's `state` on any follow relationship. */
  channel: optionalText(30),
  /** A local tag id (kept for old links; `tagIds` supersedes it). */
  tagId: z.coerce.number().int().positive().optional(),
  /** Has at least one of these tags. */
  tagIds: idList,
  /** Has none of these tags. */
  excludeTagIds: idList,
  /** WeCom add_way (1 QR scan, 2 phone search…). */
  addWay: z.coerce.number().int().min(0).max(1000).optional(),
  /** A follow-up staff member's WeCom userid. */
  staff: optionalText(64),
  /** Added on or after this day (Asia/Shanghai). */
  addedFrom: dateOnly,
  /** Added on or before this day (Asia/Shanghai). */
  addedTo: dateOnly,
  /** `lost`: every relationship ended; `active`: at least one staff member still follows. */
  status: z.enum(['active', 'lost']).optional(),
  /** Born in this month (1–12). */
  birthdayMonth: z.coerce.number().int().min(1).max(12).optional(),
  /** Customer tiers (分层), any of; from the URL (`dormant,lost`) or JSON. */
  tiers: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').filter((part) => part.trim() !== '') : value),
    z.array(z.enum(CUSTOMER_TIERS)).max(CUSTOMER_TIERS.length),
  ).optional(),
  /** No visit or purchase in the last N days (or none recorded). */
  noConsumptionDays: z.coerce.number().int().min(1).max(3650).optional(),
  /** Also match a saved segment's filter (its conditions are ANDed with these). */
  segmentId: z.coerce.number().int().positive().optional(),
});
/** A customer filter, as validated. */
export type CustomerFilter = z.infer<typeof customerFilterSchema>;

/**
 * Columns the customer list can be sorted by (each backed by an index): added time, name, last
 * visit or purchase, total spend, and birthday (the next one coming first when ascending).
 */
export const CUSTOMER_SORTS = ['addedAt', 'name', 'lastVisit', 'spend', 'birthday'] as const;
/** A column the customer list can be sorted by. */
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

/** Query of `GET /api/customers`: a filter, the sort and the page. */
export const customerListQuerySchema = customerFilterSchema.extend({
  sort: z.enum(CUSTOMER_SORTS).default('addedAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  page: z.coerce.number().int().min(1, { error: 'page must be a whole number ≥ 1' }).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100, { error: 'pageSize must be between 1 and 100' }).default(20),
});
/** Query of `GET /api/customers`. */
export type CustomerListQuery = z.input<typeof customerListQuerySchema>;

/** One follow relationship as the list and the detail show it. */
export const customerFollowSchema = z.object({
  staffUserid: z.string(),
  staffName: z.string().nullable(),
  state: z.string().nullable(),
  addWay: z.number().int().nullable(),
  remark: z.string().nullable(),
  status: z.enum(['active', 'lost']),
  followedAt: z.string().nullable(),
  lostAt: z.string().nullable(),
});
/** One follow relationship. */
export type CustomerFollow = z.infer<typeof customerFollowSchema>;

/** A local tag (group / name), with its WeCom corp tag id once it has one. */
export const customerTagSchema = z.object({
  id: z.number().int(),
  groupName: z.string(),
  name: z.string(),
  wecomTagId: z.string().nullable(),
});
/** A local tag. */
export type CustomerTag = z.infer<typeof customerTagSchema>;

/** One row of the customer list. */
export const customerRowSchema = z.object({
  id: z.number().int(),
  externalUserid: z.string(),
  name: z.string().nullable(),
  avatar: z.string().nullable(),
  /** 0 unknown, 1 male, 2 female. */
  gender: z.number().int(),
  /** 1 WeChat user, 2 WeCom user (the badge); null before the profile was read. */
  type: z.number().int().nullable(),
  follows: z.array(customerFollowSchema),
  tags: z.array(customerTagSchema),
  leadStatus: z.string().nullable(),
  /** 分层 by recency of visits and purchases, as campaigns select it (db/audience.ts TIER_SQL). */
  tier: z.enum(CUSTOMER_TIERS),
  addedAt: z.string().nullable(),
  /** The latest visit or purchase recorded (customer_consumptions), null when none. */
  lastVisitAt: z.string().nullable(),
  /** Total spend in fen (分) over every recorded purchase. */
  spendFen: z.number().int(),
  /** Date of birth (YYYY-MM-DD) when known. */
  birthday: z.string().nullable(),
  /** Every follow relationship ended. */
  lost: z.boolean(),
});
/** One row of the customer list. */
export type CustomerRow = z.infer<typeof customerRowSchema>;

/** Answer of `GET /api/customers`. */
export const customerPageSchema = z.object({
  items: z.array(customerRowSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  /** True when `total` is PostgreSQL's planner estimate (large results), not an exact count. */
  totalIsEstimate: z.boolean(),
});
/** Answer of `GET /api/customers`. */
export type CustomerPage = z.infer<typeof customerPageSchema>;

/** One entry of a customer's timeline. */
export const timelineEntrySchema = z.object({
  kind: z.enum(['callback', 'message', 'workflow']),
  at: z.string(),
  /** callback: the event (ChangeType); message: its kind; workflow: its type. */
  title: z.string(),
  /** callback: outcome; message: status; workflow: status (RUNNING, COMPLETED…). */
  status: z.string(),
  /** Plain-text detail (message text, error); rendered as text. */
  detail: z.string().nullable(),
  workflowId: z.string().nullable(),
  runId: z.string().nullable(),
  /** The run's page in the Temporal UI. */
  temporalUiUrl: z.string().nullable(),
});
/** One entry of a customer's timeline. */
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** Answer of `GET /api/customers/:id`. */
export const customerDetailSchema = z.object({
  customer: customerRowSchema.extend({
    unionid: z.string().nullable(),
    corpName: z.string().nullable(),
    lead: z.object({ id: z.number().int(), source: z.string(), status: z.string() }).nullable(),
  }),
  timeline: z.array(timelineEntrySchema),
  /** Why the workflow runs are missing when Temporal could not be asked (the rest still shows). */
  timelineWarning: z.string().nullable(),
});
/** Answer of `GET /api/customers/:id`. */
export type CustomerDetail = z.infer<typeof customerDetailSchema>;

/** Answer of `GET /api/customers/tags` and of `GET /api/customers/filters`. */
export const customerFiltersSchema = z.object({
  tags: z.array(customerTagSchema),
  channels: z.array(z.string()),
  staff: z.array(z.object({ userid: z.string(), name: z.string().nullable() })),
});
/** The choices of the list's filters. */
export type CustomerFilters = z.infer<typeof customerFiltersSchema>;

/** Body of `PUT /api/customers/:id/tags`: the local tag ids to add and to remove. */
export const updateCustomerTagsRequestSchema = z.object({
  add: z.array(z.number().int().positive()).max(100).default([]),
  remove: z.array(z.number().int().positive()).max(100).default([]),
}).refine((body) => body.add.length + body.remove.length > 0, { error: 'give at least one tag to add or remove' })
  .refine((body) => !body.add.some((id) => body.remove.includes(id)), { error: 'a tag cannot be added and removed at once' });
/** Body of `PUT /api/customers/:id/tags`. */
export type UpdateCustomerTagsRequest = z.input<typeof updateCustomerTagsRequestSchema>;

/** Answer of `PUT /api/customers/:id/tags`. */
export const updateCustomerTagsResponseSchema = z.object({
  tags: z.array(customerTagSchema),
  workflowId: z.string(),
  /** How many staff relationships WeCom's mark_tag was called for. */
  markedFor: z.number().int(),
});

/** Input of customerTagsWorkflow (versioned JSON). */
export const customerTagsInputSchema = z.object({
  version: z.literal(1),
  customerId: z.number().int().positive(),
  externalUserId: z.string().min(1),
  add: z.array(z.number().int().positive()),
  remove: z.array(z.number().int().positive()),
});
/** Input of customerTagsWorkflow. */
export type CustomerTagsInput = z.infer<typeof customerTagsInputSchema>;

/** Phases of a sync, in order. */
export const SYNC_PHASES = ['starting', 'staff', 'tags', 'contact_ways', 'customers', 'done', 'failed'] as const;

/** What started a sync: the dashboard's button, the daily schedule, or the channel-code page's import. */
export const SYNC_TRIGGERS = ['manual', 'schedule', 'import'] as const;

/**
 * What a sync reads: everything (staff, tags, the last 90 days of channel codes, customers), or
 * only channel codes, over WeCom's whole history (the import of the codes that exist in WeCom).
 */
export const SYNC_SCOPES = ['all', 'contact_ways'] as const;

/** Progress of a sync run, answered by the workflow's `syncProgress` query and as its result. */
export const syncProgressSchema = z.object({
  phase: z.enum(SYNC_PHASES),
  trigger: z.enum(SYNC_TRIGGERS),
  staff: z.number().int(),
  tags: z.number().int(),
  /** Channel codes read from WeCom and stored. */
  contactWays: z.number().int(),
  /** Of those, codes the product did not have before (an import's "new"). */
  contactWaysCreated: z.number().int().optional(),
  /** batch/get_by_user pages read and stored. */
  pagesDone: z.number().int(),
  /** Customer relationships stored (a customer followed by two staff members counts twice). */
  customersSynced: z.number().int(),
  /** Relationships expected, from the last sync and the database; grows if more arrive. */
  estimatedTotal: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
/** Progress of a sync run. */
export type SyncProgress = z.infer<typeof syncProgressSchema>;

/** Input of customerSyncWorkflow (versioned JSON). */
export const syncInputSchema = z.object({
  version: z.literal(1),
  trigger: z.enum(SYNC_TRIGGERS),
  /** Absent: 'all'. */
  scope: z.enum(SYNC_SCOPES).optional(),
  /** batch/get_by_user (and list_contact_way) pages per activity: the workflow records progress after each chunk. */
  pagesPerChunk: z.number().int().min(1).max(1000).optional(),
});
/** Input of customerSyncWorkflow. */
export type SyncInput = z.infer<typeof syncInputSchema>;

/** Name of the sync workflow's progress query (defined zod-free, for workflows). */
export { SYNC_PROGRESS_QUERY } from './workflow-handler-names.ts';

/** Answer of `GET /api/sync` and `POST /api/sync`. */
export const syncStatusSchema = z.object({
  /** null when no sync has run yet. */
  run: z.object({
    workflowId: z.string(),
    runId: z.string(),
    status: z.string(),
    running: z.boolean(),
    progress: syncProgressSchema.nullable(),
    temporalUiUrl: z.string().nullable(),
  }).nullable(),
  /** POST only: false when the click joined a sync already running. */
  started: z.boolean().optional(),
});
/** Answer of `GET /api/sync` and `POST /api/sync`. */
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** The most customers one export may hold; more must be narrowed by the filters first. */
export const CUSTOMER_EXPORT_MAX = 100_000;

/** Query of `GET /api/customers/export`: the list's filter and sort, and the file format. */
export const customerExportQuerySchema = customerListQuerySchema.omit({ page: true, pageSize: true }).extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
});
/** Query of `GET /api/customers/export`. */
export type CustomerExportQuery = z.input<typeof customerExportQuerySchema>;
