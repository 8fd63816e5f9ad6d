import { z } from 'zod';
import type { WeComClient } from '../client.ts';
import { emptyResponseSchema, nextCursorSchema } from './common.ts';

// 「联系我」 channel codes (doc 92228).
const BASE = '/cgi-bin/externalcontact';

/** The closing message (结束语) of a temporary session; WeCom uses only one of image > link > miniprogram. */
export const conclusionsSchema = z.object({
  text: z.object({ content: z.string() }).optional(),
  image: z.object({ media_id: z.string().optional(), pic_url: z.string().optional() }).optional(),
  link: z.object({ title: z.string(), picurl: z.string().optional(), desc: z.string().optional(), url: z.string() }).optional(),
  miniprogram: z.object({ title: z.string(), pic_media_id: z.string(), appid: z.string(), page: z.string() }).optional(),
});

const MAX_TEMP_SECONDS = 14 * 24 * 3600;
const editableFields = {
  style: z.number().int().optional(),
  remark: z.string().max(30).optional(),
  skip_verify: z.boolean().optional(),
  /** Channel label echoed in add_external_contact events; ≤ 30 chars. */
  state: z.string().max(30).optional(),
  user: z.array(z.string().min(1)).max(100).optional(),
  party: z.array(z.number().int()).max(100).optional(),
  expires_in: z.number().int().positive().max(MAX_TEMP_SECONDS).optional(),
  chat_expires_in: z.number().int().positive().max(MAX_TEMP_SECONDS).optional(),
  unionid: z.string().optional(),
  is_exclusive: z.boolean().optional(),
  conclusions: conclusionsSchema.optional(),
};

/** add_contact_way body; a single-person code (type 1) and a temp code name exactly one user. */
export const addContactWayRequestSchema = z
  .object({
    type: z.union([z.literal(1), z.literal(2)]),
    scene: z.union([z.literal(1), z.literal(2)]),
    is_temp: z.boolean().optional(),
    ...editableFields,
  })
  .refine((r) => r.type !== 1 || ((r.user?.length ?? 0) === 1 && (r.party?.length ?? 0) === 0), {
    message: 'a single-person code (type 1) takes exactly one user',
    path: ['user'],
  })
  .refine((r) => !r.is_temp || r.type === 1, { message: 'a temporary code must be single-person', path: ['is_temp'] })
  .refine((r) => r.type !== 2 || (r.user?.length ?? 0) + (r.party?.length ?? 0) > 0, {
    message: 'a multi-person code needs members',
    path: ['user'],
  });
/** add_contact_way body. */
export type AddContactWayRequest = z.input<typeof addContactWayRequestSchema>;

/** add_contact_way result: persist config_id, the only handle on an API-made code. */
export const addContactWayResponseSchema = z.object({ config_id: z.string().min(1), qr_code: z.string().optional() });

/** A contact way as get_contact_way returns it. */
export const contactWaySchema = z.object({
  config_id: z.string(),
  type: z.number().int(),
  scene: z.number().int(),
  style: z.number().int().optional(),
  remark: z.string().optional(),
  skip_verify: z.boolean().optional(),
  state: z.string().optional(),
  qr_code: z.string().optional(),
  user: z.array(z.string()).optional(),
  party: z.array(z.number()).optional(),
  is_temp: z.boolean().optional(),
  expires_in: z.number().optional(),
  chat_expires_in: z.number().optional(),
  unionid: z.string().optional(),
  is_exclusive: z.boolean().optional(),
  conclusions: conclusionsSchema.optional(),
});
/** A contact way as WeCom stores it. */
export type ContactWay = z.infer<typeof contactWaySchema>;

/** update_contact_way body; user and party lists replace the existing ones. */
export const updateContactWayRequestSchema = z.object({ config_id: z.string().min(1), ...editableFields });
/** update_contact_way body. */
export type UpdateContactWayRequest = z.input<typeof updateContactWayRequestSchema>;

/** list_contact_way body: default the last 90 days; excludes temp codes and pre-2021-07-10 codes. */
export const listContactWayRequestSchema = z.object({
  start_time: z.number().int().optional(),
  end_time: z.number().int().optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
/** list_contact_way body. */
export type ListContactWayRequest = z.input<typeof listContactWayRequestSchema>;

/** list_contact_way page. */
export const listContactWayResponseSchema = z.object({
  contact_way: z.array(z.object({ config_id: z.string() })).default([]),
  next_cursor: nextCursorSchema,
});

/** 「联系我」 calls bound to a client. */
export function contactWayApi(client: WeComClient) {
  return {
    /** Creates a code; returns config_id and the QR image URL. */
    add: (req: AddContactWayRequest) =>
      client.post(`${BASE}/add_contact_way`, req, addContactWayResponseSchema, addContactWayRequestSchema),
    /** Reads one code's settings. */
    get: async (configId: string): Promise<ContactWay> =>
      (await client.post(`${BASE}/get_contact_way`, { config_id: configId }, z.object({ contact_way: contactWaySchema })))
        .contact_way,
    /** Updates a code; omitted fields stay, given user/party lists overwrite. */
    update: (req: UpdateContactWayRequest) =>
      client.post(`${BASE}/update_contact_way`, req, emptyResponseSchema, updateContactWayRequestSchema),
    /** Deletes a code. */
    delete: (configId: string) => client.post(`${BASE}/del_contact_way`, { config_id: configId }, emptyResponseSchema),
    /** One page of config_ids (for importing codes made elsewhere). */
    list: (req: ListContactWayRequest = {}) =>
      client.post(`${BASE}/list_contact_way`, req, listContactWayResponseSchema, listContactWayRequestSchema),
    /** Ends a temporary session with a customer (sends the closing message). */
    closeTempChat: (userId: string, externalUserId: string) =>
      client.post(`${BASE}/close_temp_chat`, { userid: userId, external_userid: externalUserId }, emptyResponseSchema),
  };
}
