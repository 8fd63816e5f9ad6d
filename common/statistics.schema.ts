import { z } from 'zod';
import { CAMPAIGN_STATUSES } from './campaigns.schema.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'use the date format YYYY-MM-DD' });

/** Added, lost and net (added − lost) relationships in a period. */
export const growthSchema = z.object({ added: z.number().int(), lost: z.number().int(), net: z.number().int() });
/** Added, lost and net in a period. */
export type Growth = z.infer<typeof growthSchema>;

/** `GET /api/statistics/overview`: the marketer's home page figures (数据概览). */
export const overviewSchema = z.object({
  /** The clinic's "today" (Asia/Shanghai), the last day of each period. */
  today: day,
  totalCustomers: z.number().int(),
  periods: z.object({ today: growthSchema, last7: growthSchema, last30: growthSchema }),
  /** Customers added in the last 30 days and how far they got (booked a visit not cancelled, visited or bought). */
  funnel: z.object({ added: z.number().int(), leads: z.number().int(), appointments: z.number().int(), consumptions: z.number().int() }),
  /** Channel codes by relationships added in the last 30 days, best first. */
  topCodes: z.array(z.object({ state: z.string(), remark: z.string().nullable(), added: z.number().int(), lost: z.number().int() })),
});
/** The overview's figures. */
export type Overview = z.infer<typeof overviewSchema>;

/** Bucket sizes of a trend, in the clinic's calendar. */
export const BUCKETS = ['day', 'week', 'month'] as const;
/** What a trend is split by. */
export const TREND_DIMENSIONS = ['total', 'channel', 'staff'] as const;

/** Query of `GET /api/statistics/trend`. */
export const trendQuerySchema = z.object({
  from: day,
  to: day,
  bucket: z.enum(BUCKETS).default('day'),
  by: z.enum(TREND_DIMENSIONS).default('channel'),
  /** At most this many series (the largest); the rest are summed into `other`. */
  limit: z.coerce.number().int().min(1).max(20).default(8),
}).refine((q) => q.from <= q.to, { error: 'from must not be after to', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 731, { error: 'a trend spans at most two years', path: ['to'] });
/** Query of `GET /api/statistics/trend`. */
export type TrendQuery = z.input<typeof trendQuerySchema>;

/** `GET /api/statistics/trend`: added/lost per bucket, one series per channel / staff member. */
export const trendSchema = z.object({
  bucket: z.enum(BUCKETS),
  by: z.enum(TREND_DIMENSIONS),
  /** Every bucket's first day in the range, in order (buckets without rows are included). */
  buckets: z.array(day),
  series: z.array(z.object({
    /** The channel state / staff userid; `''` for none, `other` for the rest. */
    key: z.string(),
    label: z.string().nullable(),
    added: z.array(z.number().int()),
    lost: z.array(z.number().int()),
    totalAdded: z.number().int(),
    totalLost: z.number().int(),
  })),
});
/** A trend's buckets and series. */
export type Trend = z.infer<typeof trendSchema>;

const count = z.number().int();
/** `GET /api/statistics/campaigns`: the latest launched campaigns' results (数据概览's 群发效果 card). */
export const campaignResultsSchema = z.object({
  items: z.array(z.object({
    id: z.number().int(),
    name: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    launchedAt: z.string().nullable(),
    /** The latest run's SPEC §3 counts, as the campaign page shows them. */
    counts: z.object({ audience: count, skipped: count, submitted: count, confirmed: count, delivered: count, failed: count, clicked: count }),
  })),
});
/** The latest campaigns' results. */
export type CampaignResults = z.infer<typeof campaignResultsSchema>;

/** Query of `GET /api/statistics/staff-behavior`: clinic days, inclusive. */
export const staffBehaviorQuerySchema = z.object({ from: day, to: day })
  .refine((q) => q.from <= q.to, { error: 'from must not be after to', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 366, { error: 'at most a year', path: ['to'] });
/** Query of `GET /api/statistics/staff-behavior`. */
export type StaffBehaviorQuery = z.infer<typeof staffBehaviorQuerySchema>;

/** One staff member's 联系客户统计 over a range (WeCom's get_user_behavior_data, synced daily). */
export const staffBehaviorRowSchema = z.object({
  userid: z.string(),
  name: z.string().nullable(),
  /** 发起申请数: friend requests the staff member sent. */
  newApply: z.number().int(),
  /** 新增客户数. */
  newContact: z.number().int(),
  /** 聊天总数: one-to-one chats the staff member sent in. */
  chats: z.number().int(),
  /** 发送消息数. */
  messages: z.number().int(),
  /** 已回复聊天占比 (%), weighted by chats; null without chats. */
  replyPercentage: z.number().nullable(),
  /** 平均首次回复时长 (minutes), weighted by chats; null without chats. */
  avgReplyMinutes: z.number().nullable(),
  /** 删除/拉黑成员的客户数. */
  negativeFeedback: z.number().int(),
});
/** One staff member's figures. */
export type StaffBehaviorRow = z.infer<typeof staffBehaviorRowSchema>;

/** Answer of `GET /api/statistics/staff-behavior`. */
export const staffBehaviorSchema = z.object({
  from: day,
  to: day,
  items: z.array(staffBehaviorRowSchema),
  /** The newest day synced from WeCom (null before the first sync). */
  syncedThrough: day.nullable(),
});
/** Answer of `GET /api/statistics/staff-behavior`. */
export type StaffBehavior = z.infer<typeof staffBehaviorSchema>;

/** Input of staffBehaviorSyncWorkflow (versioned JSON): how many clinic days back from yesterday to (re)read. */
export const staffBehaviorSyncInputSchema = z.object({
  version: z.literal(1),
  /** WeCom keeps 180 days; the daily run re-reads a week (WeCom revises recent days). */
  days: z.number().int().min(1).max(180).default(7),
});
/** Input of staffBehaviorSyncWorkflow. */
export type StaffBehaviorSyncInput = z.input<typeof staffBehaviorSyncInputSchema>;
