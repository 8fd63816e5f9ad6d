import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * One staff member's 联系客户统计 of one clinic day, as WeCom's get_user_behavior_data reports it
 * (asked one staff member at a time: WeCom sums the figures of every userid in a request).
 * Written by staffBehaviorSyncWorkflow's activity (upserts: re-reading a day replaces it).
 */
export const StaffBehaviorDaily = defineEntity({
  name: 'StaffBehaviorDaily',
  tableName: 'staff_behavior_daily',
  properties: {
    day: p.date().primary(),
    staffUserid: p.string().length(64).primary(),
    newApplyCnt: p.integer().default(0),
    newContactCnt: p.integer().default(0),
    chatCnt: p.integer().default(0),
    messageCnt: p.integer().default(0),
    /** Percent; null on days without chats (WeCom leaves it out). */
    replyPercentage: p.double().nullable(),
    /** Minutes; null on days without chats. */
    avgReplyTime: p.double().nullable(),
    negativeFeedbackCnt: p.integer().default(0),
    syncedAt: p.datetime(),
  },
});
/** A row of staff_behavior_daily. */
export type IStaffBehaviorDaily = InferEntity<typeof StaffBehaviorDaily>;
