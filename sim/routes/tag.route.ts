import type { Hono } from 'hono';
import { z } from 'zod';
import { nowSec } from '../context.ts';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { alnum } from '../ids.ts';
import { getFollow } from '../state.ts';
import type { CorpTag, CorpTagGroup } from '../state.ts';
import { checkExternalUserId, checkStaff } from '../views.ts';
import { parseBody, wecomRoute } from '../wecom-route.ts';

const MAX_TAGS = 10_000;
const tagName = z.string().min(1).refine((s) => [...s].length <= 30, { message: 'tag name exceeds 30 characters' });

const listBody = z.object({ tag_id: z.array(z.string()).optional(), group_id: z.array(z.string()).optional() });
const addBody = z.object({
  group_id: z.string().optional(),
  group_name: z.string().optional(),
  order: z.number().int().optional(),
  tag: z.array(z.object({ name: z.string(), order: z.number().int().optional() })).min(1),
  agentid: z.union([z.number(), z.string()]).optional(),
});
const editBody = z.object({ id: z.string().min(1), name: z.string().optional(), order: z.number().int().optional() });
const delBody = z.object({ tag_id: z.array(z.string()).optional(), group_id: z.array(z.string()).optional() });
const markBody = z.object({
  userid: z.string().min(1),
  external_userid: z.string().min(1),
  add_tag: z.array(z.string()).optional(),
  remove_tag: z.array(z.string()).optional(),
});

function groupView(g: CorpTagGroup, tags: CorpTag[]): Record<string, unknown> {
  return {
    group_id: g.group_id,
    group_name: g.group_name,
    create_time: g.create_time,
    order: g.order,
    tag: tags.map((t) => ({ id: t.id, name: t.name, create_time: t.create_time, order: t.order })),
  };
}

function tagsOf(ctx: SimContext, groupId: string): CorpTag[] {
  return [...ctx.state.tags.values()].filter((t) => t.group_id === groupId);
}

/** Removes tags from every relationship (WeCom untags customers when a tag is deleted). */
function untagEverywhere(ctx: SimContext, ids: Set<string>): void {
  for (const byUser of ctx.state.followsByCustomer.values())
    for (const f of byUser.values()) if (f.tag_ids.some((t) => ids.has(t))) f.tag_ids = f.tag_ids.filter((t) => !ids.has(t));
}

/** Corp tags: get_corp_tag_list, add/edit/del_corp_tag, mark_tag. */
export function registerTagRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'POST', 'externalcontact/get_corp_tag_list', ({ body }) => {
    const b = parseBody(listBody, body);
    const groups = [...ctx.state.tagGroups.values()];
    // group_id wins over tag_id when both are given.
    if (b.group_id?.length) {
      return { tag_group: groups.filter((g) => b.group_id!.includes(g.group_id)).map((g) => groupView(g, tagsOf(ctx, g.group_id))) };
    }
    if (b.tag_id?.length) {
      const wanted = new Set(b.tag_id);
      return {
        tag_group: groups
          .map((g) => ({ g, tags: tagsOf(ctx, g.group_id).filter((t) => wanted.has(t.id)) }))
          .filter((x) => x.tags.length > 0)
          .map((x) => groupView(x.g, x.tags)),
      };
    }
    return { tag_group: groups.map((g) => groupView(g, tagsOf(ctx, g.group_id))) };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/add_corp_tag', ({ body }) => {
    const b = parseBody(addBody, body);
    const now = nowSec(ctx);
    let group: CorpTagGroup | undefined;
    if (b.group_id) {
      group = ctx.state.tagGroups.get(b.group_id);
      if (!group) throw wecomError('invalidTagId', 'group_id not found');
    } else {
      if (!b.group_name) throw wecomError('invalidParam', 'group_id or group_name required');
      // Naming an existing group adds the tags to it.
      group = [...ctx.state.tagGroups.values()].find((g) => g.group_name === b.group_name);
      if (!group) {
        group = { group_id: `et${alnum(30)}`, group_name: b.group_name, create_time: now, order: b.order ?? 0 };
        ctx.state.tagGroups.set(group.group_id, group);
      }
    }
    const existing = new Set(tagsOf(ctx, group.group_id).map((t) => t.name));
    const seen = new Set<string>();
    for (const t of b.tag) {
      if (!tagName.safeParse(t.name).success) throw wecomError('invalidTagName', t.name);
      if (existing.has(t.name) || seen.has(t.name)) throw wecomError('invalidTagName', `${t.name} already exists`);
      seen.add(t.name);
    }
    if (ctx.state.tags.size + b.tag.length > MAX_TAGS) throw wecomError('invalidParam', 'corp tag limit reached');
    const created = b.tag.map((t) => {
      const tag: CorpTag = { id: `et${alnum(30)}`, name: t.name, create_time: now, order: t.order ?? 0, group_id: group.group_id };
      ctx.state.tags.set(tag.id, tag);
      return tag;
    });
    ctx.touch();
    return { tag_group: groupView(group, created) };
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/edit_corp_tag', ({ body }) => {
    const b = parseBody(editBody, body);
    if (b.name !== undefined && !tagName.safeParse(b.name).success) throw wecomError('invalidTagName');
    const tag = ctx.state.tags.get(b.id);
    const group = ctx.state.tagGroups.get(b.id);
    if (tag) {
      if (b.name !== undefined && b.name !== tag.name && tagsOf(ctx, tag.group_id).some((t) => t.name === b.name)) throw wecomError('invalidTagName', 'name already exists');
      if (b.name !== undefined) tag.name = b.name;
      if (b.order !== undefined) tag.order = b.order;
    } else if (group) {
      if (b.name !== undefined) group.group_name = b.name;
      if (b.order !== undefined) group.order = b.order;
    } else throw wecomError('invalidTagId');
    ctx.touch();
    return {};
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/del_corp_tag', ({ body }) => {
    const b = parseBody(delBody, body);
    if (!b.tag_id?.length && !b.group_id?.length) throw wecomError('invalidParam', 'tag_id or group_id required');
    for (const id of b.tag_id ?? []) if (!ctx.state.tags.has(id)) throw wecomError('invalidTagId', id);
    for (const id of b.group_id ?? []) if (!ctx.state.tagGroups.has(id)) throw wecomError('invalidTagId', id);
    const removed = new Set(b.tag_id ?? []);
    for (const gid of b.group_id ?? []) for (const t of tagsOf(ctx, gid)) removed.add(t.id);
    const touchedGroups = new Set([...removed].map((id) => ctx.state.tags.get(id)!.group_id));
    for (const id of removed) ctx.state.tags.delete(id);
    // A group whose last tag is deleted disappears with it.
    for (const gid of touchedGroups) if (tagsOf(ctx, gid).length === 0) ctx.state.tagGroups.delete(gid);
    untagEverywhere(ctx, removed);
    ctx.touch();
    return {};
  });

  wecomRoute(app, ctx, 'POST', 'externalcontact/mark_tag', ({ body }) => {
    const b = parseBody(markBody, body);
    checkStaff(ctx, b.userid);
    checkExternalUserId(b.external_userid);
    const add = b.add_tag ?? [];
    const remove = b.remove_tag ?? [];
    if (add.length === 0 && remove.length === 0) throw wecomError('invalidParam', 'add_tag or remove_tag required');
    for (const id of [...add, ...remove]) if (!ctx.state.tags.has(id)) throw wecomError('invalidTagId', id);
    const f = getFollow(ctx.state, b.userid, b.external_userid);
    if (!f) throw wecomError('noRelationship');
    const set = new Set(f.tag_ids);
    for (const id of add) set.add(id);
    for (const id of remove) set.delete(id);
    f.tag_ids = [...set];
    ctx.touch();
    return {};
  });
}
