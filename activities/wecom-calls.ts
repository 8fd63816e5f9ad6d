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
