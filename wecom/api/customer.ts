import { z } from 'zod';
import type { WeComClient } from '../client.ts';
import { emptyResponseSchema, nextCursorSchema } from './common.ts';

// Customers (外部联系人) and their follow relationships (docs 92114, 92113, 92994, 92115).
const BASE = '/cgi-bin/externalcontact';

/** The customer's own profile. */
export const externalContactSchema = z.object({
  external_userid: z.string(),
  name: z.string().default(''),
  avatar: z.string().optional(),
  /** 1 WeChat user, 2 WeCom user. */
  type: z.number().int().optional(),
  /** 0 unknown, 1 male, 2 female. */
  gender: z.number().int().optional(),
  unionid: z.string().optional(),
  position: z.string().optional(),
  corp_name: z.string().optional(),
  corp_full_name: z.string().optional(),
});
/** A customer's profile. */
export type ExternalContact = z.infer<typeof externalContactSchema>;

const followTagSchema = z.object({
  group_name: z.string().optional(),
  tag_name: z.string().optional(),
  tag_id: z.string().optional(),
  /** 1 corp tag, 2 personal tag, 3 rule-group tag. */
  type: z.number().int().optional(),
});

/** One staff member's relationship with the customer, as externalcontact/get returns it. */
export const followUserSchema = z.object({
  userid: z.string(),
  remark: z.string().optional(),
  description: z.string().optional(),
  createtime: z.number().int(),
  tags: z.array(followTagSchema).default([]),
  remark_corp_name: z.string().optional(),
  remark_mobiles: z.array(z.string()).optional(),
  oper_userid: z.string().optional(),
  /** How the customer was added: 1 QR scan, 2 phone search, … 202 admin assignment. */
  add_way: z.number().int().optional(),
  /** The contact code's `state` (channel label) when added by a 「联系我」 code. */
  state: z.string().optional(),
});
/** A follow relationship (customer ↔ staff member). */
export type FollowUser = z.infer<typeof followUserSchema>;

/** externalcontact/get result. */
export const getExternalContactResponseSchema = z.object({
  external_contact: externalContactSchema,
  follow_user: z.array(followUserSchema).default([]),
  /** Only when the customer has more than 500 followers. */
  next_cursor: nextCursorSchema,
});

/** batch/get_by_user follow info: tag ids only, unlike externalcontact/get. */
export const followInfoSchema = z.object({
  userid: z.string(),
  remark: z.string().optional(),
  description: z.string().optional(),
  createtime: z.number().int(),
  tag_id: z.array(z.string()).default([]),
  remark_corp_name: z.string().optional(),
  remark_mobiles: z.array(z.string()).optional(),
  oper_userid: z.string().optional(),
  add_way: z.number().int().optional(),
  state: z.string().optional(),
});

/** batch/get_by_user body: ≤ 100 staff per call, ≤ 100 customers per page. */
export const batchGetByUserRequestSchema = z.object({
  userid_list: z.array(z.string().min(1)).min(1).max(100),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100).optional(),
});
/** batch/get_by_user body. */
export type BatchGetByUserRequest = z.input<typeof batchGetByUserRequestSchema>;

/** batch/get_by_user page; `next_cursor` is empty on the last page. */
export const batchGetByUserResponseSchema = z.object({
  external_contact_list: z
    .array(z.object({ external_contact: externalContactSchema, follow_info: followInfoSchema }))
    .default([]),
  next_cursor: nextCursorSchema,
});

/** externalcontact/remark body. */
export const remarkRequestSchema = z.object({
  userid: z.string().min(1),
  external_userid: z.string().min(1),
  remark: z.string().optional(),
  description: z.string().optional(),
  remark_company: z.string().optional(),
  remark_mobiles: z.array(z.string()).optional(),
  remark_pic_mediaid: z.string().optional(),
});
/** externalcontact/remark body. */
export type RemarkRequest = z.input<typeof remarkRequestSchema>;

/** Customer calls bound to a client. */
export function customerApi(client: WeComClient) {
  return {
    /** One customer with its follow relationships (pass the cursor only past 500 followers). */
    get: (externalUserId: string, cursor?: string) =>
      client.get(`${BASE}/get`, { external_userid: externalUserId, cursor }, getExternalContactResponseSchema),
    /** All external_userids of one staff member (no paging). */
    listIds: async (userId: string): Promise<string[]> =>
      (await client.get(`${BASE}/list`, { userid: userId }, z.object({ external_userid: z.array(z.string()).default([]) })))
        .external_userid,
    /** One page of customers of up to 100 staff members, for sync. */
    batchGetByUser: (req: BatchGetByUserRequest) =>
      client.post(`${BASE}/batch/get_by_user`, req, batchGetByUserResponseSchema, batchGetByUserRequestSchema),
    /** UserIDs of staff with customer-contact enabled: the staff list that matters for sync. */
    followUserList: async (): Promise<string[]> =>
      (await client.get(`${BASE}/get_follow_user_list`, {}, z.object({ follow_user: z.array(z.string()).default([]) })))
        .follow_user,
    /** Sets a staff member's remark/description of a customer. */
    remark: (req: RemarkRequest) => client.post(`${BASE}/remark`, req, emptyResponseSchema, remarkRequestSchema),
  };
}
