import { WeComApiError } from './errors.ts';
import type { WeComApi } from './wecom-api.ts';

/**
 * The WeCom corp tag id of a group/name pair, creating the tag (and its group) in WeCom when
 * missing. Two callers at once (two onboardings from a new channel, or a save and an onboarding)
 * both find it missing and both add it: the second gets 40071 (name exists), re-reads the tags and
 * takes the one the first created. `created` says whether this call made it.
 */
export async function ensureCorpTag(api: WeComApi, tag: { groupName: string; name: string }): Promise<{ tagId: string; groupId: string; created: boolean }> {
  const find = async () => (await api.tags.list()).filter((group) => group.group_name === tag.groupName)
    .flatMap((group) => group.tag.filter((t) => t.name === tag.name).map((t) => ({ tagId: t.id, groupId: group.group_id, created: false })))[0];
  const existing = await find();
  if (existing) return existing;
  try {
    // Naming an existing group adds the tag to it.
    const added = await api.tags.add({ group_name: tag.groupName, tag: [{ name: tag.name }] });
    const addedTag = added.tag.find((t) => t.name === tag.name) ?? added.tag[0]!;
    return { tagId: addedTag.id, groupId: added.group_id, created: true };
  } catch (error) {
    if (!(error instanceof WeComApiError && error.errcode === 40071)) throw error;
    const raced = await find();
    if (!raced) throw error;
    return raced;
  }
}
