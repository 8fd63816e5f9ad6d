import { z } from 'zod';
import type { WeComClient } from '../client.ts';

const MAX_SPAN_SECONDS = 30 * 24 * 3600;

/** get_user_behavior_data body: ≤ 100 staff, a span of ≤ 30 days within the last 180 days. */
export const userBehaviorRequestSchema = z
  .object({
    userid: z.array(z.string().min(1)).max(100).optional(),
    partyid: z.array(z.number().int()).max(100).optional(),
    start_time: z.number().int(),
    end_time: z.number().int(),
  })
  .refine((r) => (r.userid?.length ?? 0) + (r.partyid?.length ?? 0) > 0, { message: 'name staff or departments' })
  .refine((r) => r.end_time >= r.start_time && r.end_time - r.start_time <= MAX_SPAN_SECONDS, {
    message: 'the span must be 0..30 days',
    path: ['end_time'],
  });
/** get_user_behavior_data body. */
export type UserBehaviorRequest = z.input<typeof userBehaviorRequestSchema>;

/** One day of customer-contact figures. */
export const behaviorDaySchema = z.object({
  stat_time: z.number().int(),
  new_apply_cnt: z.number().default(0),
  new_contact_cnt: z.number().default(0),
  chat_cnt: z.number().default(0),
  message_cnt: z.number().default(0),
  /** Percent; absent on days without chats. */
  reply_percentage: z.number().optional(),
  /** Minutes; absent on days without chats. */
  avg_reply_time: z.number().optional(),
  negative_feedback_cnt: z.number().default(0),
});
/** One day of customer-contact figures. */
export type BehaviorDay = z.infer<typeof behaviorDaySchema>;

/** Statistics call bound to a client. */
export function statsApi(client: WeComClient) {
  return {
    /** Daily 联系客户统计 figures for the given staff. */
    userBehavior: async (req: UserBehaviorRequest): Promise<BehaviorDay[]> =>
      (
        await client.post(
          '/cgi-bin/externalcontact/get_user_behavior_data',
          req,
          z.object({ behavior_data: z.array(behaviorDaySchema).default([]) }),
          userBehaviorRequestSchema,
        )
      ).behavior_data,
  };
}
