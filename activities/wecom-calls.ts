import type { WeComApi } from '../wecom/wecom-api.ts';
import type { ActivityDeps } from './deps.ts';
import { asActivityFailure } from './wecom-failure.ts';

/** Runs one WeCom call with the process's client, turning WeCom's errors into Temporal's terms. */
export async function callWeCom<T>(deps: ActivityDeps, fn: (api: WeComApi) => Promise<T>): Promise<T> {
  try {
    return await fn(await deps.wecom());
  } catch (error) {
    throw asActivityFailure(error);
  }
}

/** The WeCom corp tag id of a group/name pair, creating the tag (and its group) in WeCom when missing. */
export async function ensureWecomTag(api: WeComApi, tag: { groupName: string; name: string }): Promise<{ tagId: string; groupId: string }> {
  const groups = await api.tags.list();
  const existing = groups.filter((group) => group.group_name === tag.groupName)
    .flatMap((group) => group.tag.filter((t) => t.name === tag.name).map((t) => ({ tagId: t.id, groupId: group.group_id })))[0];
  if (existing) return existing;
  // Naming an existing group adds the tag to it.
  const created = await api.tags.add({ group_name: tag.groupName, tag: [{ name: tag.name }] });
  const createdTag = created.tag.find((t) => t.name === tag.name) ?? created.tag[0]!;
  return { tagId: createdTag.id, groupId: created.group_id };
}
