import { WeComApiError } from '../wecom/errors.ts';
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

/** True when `error` is WeCom answering `errcode`. */
export function isWeComErrcode(error: unknown, errcode: number): boolean {
  return error instanceof WeComApiError && error.errcode === errcode;
}

/**
 * The WeCom corp tag id of a group/name pair, creating the tag (and its group) in WeCom when
 * missing. Two onboardings from a new channel at once both find it missing and both add it: the
 * second gets 40071 (name exists), re-reads the tags and takes the one the first created.
 */
export async function ensureWecomTag(api: WeComApi, tag: { groupName: string; name: string }): Promise<{ tagId: string; groupId: string }> {
  const find = async () => (await api.tags.list()).filter((group) => group.group_name === tag.groupName)
    .flatMap((group) => group.tag.filter((t) => t.name === tag.name).map((t) => ({ tagId: t.id, groupId: group.group_id })))[0];
  const existing = await find();
  if (existing) return existing;
  try {
    // Naming an existing group adds the tag to it.
    const created = await api.tags.add({ group_name: tag.groupName, tag: [{ name: tag.name }] });
    const createdTag = created.tag.find((t) => t.name === tag.name) ?? created.tag[0]!;
    return { tagId: createdTag.id, groupId: created.group_id };
  } catch (error) {
    if (!isWeComErrcode(error, 40071)) throw error;
    const raced = await find();
    if (!raced) throw error;
    return raced;
  }
}

/** Gives each local tag without a WeCom corp tag id one (found or created); the caller flushes. */
export async function giveWecomTagIds(api: WeComApi, tags: Array<{ groupName: string; name: string; wecomTagId?: string | null; wecomGroupId?: string | null }>): Promise<void> {
  for (const tag of tags) {
    if (tag.wecomTagId) continue;
    const found = await ensureWecomTag(api, tag);
    tag.wecomTagId = found.tagId;
    tag.wecomGroupId = found.groupId;
  }
}
