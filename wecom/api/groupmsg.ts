import { z } from 'zod';
import type { WeComClient } from '../client.ts';
import { attachmentSchema, attachmentsSchema, emptyResponseSchema, nextCursorSchema, textContentSchema } from './common.ts';

// 企业群发 (mass messages to customers, docs 92135, 93338). A call creates a task that the sender
// confirms in the WeCom client; nothing reaches a customer before that.
const BASE = '/cgi-bin/externalcontact';

/** add_msg_template body for customers (chat_type single): ≤ 10,000 external_userids per call. */
export const addMsgTemplateRequestSchema = z
  .object({
    chat_type: z.enum(['single', 'group']).default('single'),
    external_userid: z.array(z.string().min(1)).max(10_000).optional(),
    chat_id_list: z.array(z.string().min(1)).max(2000).optional(),
    sender: z.string().min(1).optional(),
    allow_select: z.boolean().optional(),
    text: textContentSchema.optional(),
    attachments: attachmentsSchema.optional(),
  })
  .refine((r) => r.text !== undefined || (r.attachments?.length ?? 0) > 0, { message: 'a mass message needs content' })
  .refine((r) => r.chat_type !== 'group' || r.sender !== undefined, {
    message: 'a group-chat mass message needs a sender',
    path: ['sender'],
  });
/** add_msg_template body. */
export type AddMsgTemplateRequest = z.input<typeof addMsgTemplateRequestSchema>;

/** add_msg_template result: the task id and the recipients WeCom refused (not friends, over quota…). */
export const addMsgTemplateResponseSchema = z.object({
  msgid: z.string().min(1),
  fail_list: z.array(z.string()).default([]),
});

// WeCom documents some timestamps here as strings; accept both and expose numbers.
const epochSeconds = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);

/** get_groupmsg_list_v2 body. */
export const groupMsgListRequestSchema = z.object({
  chat_type: z.enum(['single', 'group']),
  start_time: z.number().int(),
  end_time: z.number().int(),
  creator: z.string().optional(),
  /** 0 created by the corp, 1 by a member, 2 all. */
  filter_type: z.number().int().optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().optional(),
});
/** get_groupmsg_list_v2 body. */
export type GroupMsgListRequest = z.input<typeof groupMsgListRequestSchema>;

/** get_groupmsg_list_v2 page. */
export const groupMsgListResponseSchema = z.object({
  group_msg_list: z
    .array(
      z.object({
        msgid: z.string(),
        creator: z.string().optional(),
        create_time: epochSeconds.optional(),
        /** 0 corp, 1 member. */
        create_type: z.number().int().optional(),
        text: z.object({ content: z.string() }).optional(),
        attachments: z.array(attachmentSchema.or(z.record(z.string(), z.unknown()))).optional(),
      }),
    )
    .default([]),
  next_cursor: nextCursorSchema,
});

/** get_groupmsg_task page: per sender, 0 not sent yet, 2 sent. */
export const groupMsgTaskResponseSchema = z.object({
  task_list: z
    .array(z.object({ userid: z.string(), status: z.number().int(), send_time: epochSeconds.optional() }))
    .default([]),
  next_cursor: nextCursorSchema,
});

/** get_groupmsg_send_result page: per customer, 0 not sent, 1 sent, 2 not a friend, 3 over quota. */
export const groupMsgSendResultResponseSchema = z.object({
  send_list: z
    .array(
      z.object({
        external_userid: z.string().optional(),
        chat_id: z.string().optional(),
        userid: z.string(),
        status: z.number().int(),
        send_time: epochSeconds.optional(),
      }),
    )
    .default([]),
  next_cursor: nextCursorSchema,
});

const pageRequestSchema = z.object({
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().optional(),
});

/** Mass-message calls bound to a client. */
export function groupMsgApi(client: WeComClient) {
  return {
    /** Creates a mass-message task for one sender. */
    addMsgTemplate: (req: AddMsgTemplateRequest) =>
      client.post(`${BASE}/add_msg_template`, req, addMsgTemplateResponseSchema, addMsgTemplateRequestSchema),
    /** Lists mass messages created in a time range. */
    list: (req: GroupMsgListRequest) =>
      client.post(`${BASE}/get_groupmsg_list_v2`, req, groupMsgListResponseSchema, groupMsgListRequestSchema),
    /** Whether each sender has confirmed a task. */
    task: (msgid: string, page: { limit?: number; cursor?: string } = {}) =>
      client.post(`${BASE}/get_groupmsg_task`, { msgid, ...page }, groupMsgTaskResponseSchema,
        pageRequestSchema.extend({ msgid: z.string().min(1) })),
    /** Per-customer delivery of one sender's task; 41063 means "still dispatching, ask later". */
    sendResult: (msgid: string, userId: string, page: { limit?: number; cursor?: string } = {}) =>
      client.post(`${BASE}/get_groupmsg_send_result`, { msgid, userid: userId, ...page }, groupMsgSendResultResponseSchema,
        pageRequestSchema.extend({ msgid: z.string().min(1), userid: z.string().min(1) })),
    /** Reminds senders who have not confirmed (≤ 3 times per task per 24 h). */
    remind: (msgid: string) => client.post(`${BASE}/remind_groupmsg_send`, { msgid }, emptyResponseSchema),
    /** Cancels a task that has not been sent. */
    cancel: (msgid: string) => client.post(`${BASE}/cancel_groupmsg_send`, { msgid }, emptyResponseSchema),
  };
}
