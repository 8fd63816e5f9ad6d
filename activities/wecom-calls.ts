import { WeComApiError } from '../wecom/errors.ts';
import { ensureCorpTag } from '../wecom/corp-tags.ts';
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

/** Gives each local tag without a WeCom corp tag id one (found or created, see ensureCorpTag); the caller flushes. */
export async function giveWecomTagIds(api: WeComApi, tags: Array<{ groupName: string; name: string; wecomTagId?: string | null; wecomGroupId?: string | null }>): Promise<void> {
  for (const tag of tags) {
    if (tag.wecomTagId) continue;
    const found = await ensureCorpTag(api, tag);
    tag.wecomTagId = found.tagId;
    tag.wecomGroupId = found.groupId;
  }
}
