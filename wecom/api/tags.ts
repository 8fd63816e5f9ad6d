import { z } from 'zod';
import type { WeComClient } from '../client.ts';
import { emptyResponseSchema } from './common.ts';

// Corp customer tags (企业客户标签, docs 92117, 92118).
const BASE = '/cgi-bin/externalcontact';

/** A corp tag. */
export const corpTagSchema = z.object({
  id: z.string(),
  name: z.string(),
  create_time: z.number().int().optional(),
  order: z.number().int().optional(),
  deleted: z.boolean().optional(),
});

/** A tag group with its tags. */
export const corpTagGroupSchema = z.object({
  group_id: z.string(),
  group_name: z.string(),
  create_time: z.number().int().optional(),
  order: z.number().int().optional(),
  deleted: z.boolean().optional(),
  tag: z.array(corpTagSchema).default([]),
});
/** A tag group with its tags. */
export type CorpTagGroup = z.infer<typeof corpTagGroupSchema>;

/** add_corp_tag body: naming an existing group (by id or name) adds the tags to it. */
export const addCorpTagRequestSchema = z
  .object({
    group_id: z.string().optional(),
    group_name: z.string().min(1).max(30).optional(),
    order: z.number().int().optional(),
    tag: z.array(z.object({ name: z.string().min(1).max(30), order: z.number().int().optional() })).min(1),
    agentid: z.number().int().optional(),
  })
  .refine((r) => r.group_id !== undefined || r.group_name !== undefined, {
    message: 'name the group by group_id or group_name',
    path: ['group_name'],
  });
/** add_corp_tag body. */
export type AddCorpTagRequest = z.input<typeof addCorpTagRequestSchema>;

/** edit_corp_tag body (a tag or a group id). */
export const editCorpTagRequestSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(30).optional(),
  order: z.number().int().optional(),
  agentid: z.number().int().optional(),
});
/** edit_corp_tag body. */
export type EditCorpTagRequest = z.input<typeof editCorpTagRequestSchema>;

/** del_corp_tag body: only tags this app created can be deleted. */
export const delCorpTagRequestSchema = z
  .object({
    tag_id: z.array(z.string().min(1)).optional(),
    group_id: z.array(z.string().min(1)).optional(),
    agentid: z.number().int().optional(),
  })
  .refine((r) => (r.tag_id?.length ?? 0) + (r.group_id?.length ?? 0) > 0, { message: 'nothing to delete' });
/** del_corp_tag body. */
export type DelCorpTagRequest = z.input<typeof delCorpTagRequestSchema>;

/** mark_tag body: tags one customer as seen by one staff member. */
export const markTagRequestSchema = z
  .object({
    userid: z.string().min(1),
    external_userid: z.string().min(1),
    add_tag: z.array(z.string().min(1)).optional(),
    remove_tag: z.array(z.string().min(1)).optional(),
  })
  .refine((r) => (r.add_tag?.length ?? 0) + (r.remove_tag?.length ?? 0) > 0, { message: 'no tag to add or remove' });
/** mark_tag body. */
export type MarkTagRequest = z.input<typeof markTagRequestSchema>;

/** Tag calls bound to a client. */
export function tagApi(client: WeComClient) {
  return {
    /** Every tag group, or only the given tags/groups. */
    list: async (filter: { tag_id?: string[]; group_id?: string[] } = {}): Promise<CorpTagGroup[]> =>
      (await client.post(`${BASE}/get_corp_tag_list`, filter, z.object({ tag_group: z.array(corpTagGroupSchema).default([]) })))
        .tag_group,
    /** Adds tags (and the group when new); returns the group with the created tags' ids. */
    add: async (req: AddCorpTagRequest): Promise<CorpTagGroup> =>
      (await client.post(`${BASE}/add_corp_tag`, req, z.object({ tag_group: corpTagGroupSchema }), addCorpTagRequestSchema))
        .tag_group,
    /** Renames or reorders a tag or group. */
    edit: (req: EditCorpTagRequest) => client.post(`${BASE}/edit_corp_tag`, req, emptyResponseSchema, editCorpTagRequestSchema),
    /** Deletes tags or groups. */
    delete: (req: DelCorpTagRequest) => client.post(`${BASE}/del_corp_tag`, req, emptyResponseSchema, delCorpTagRequestSchema),
    /** Adds/removes corp tags on one customer for one staff member. */
    mark: (req: MarkTagRequest) => client.post(`${BASE}/mark_tag`, req, emptyResponseSchema, markTagRequestSchema),
  };
}
