import { WeworkNotConfiguredError } from '../../db/wework-token.store.ts';
import { WeComApiError, WeComRequestValidationError, WeComResponseShapeError, WeComTransportError } from '../../wecom/errors.ts';
import { AppError } from '../errors.ts';

/**
 * A failed WeCom call as the dashboard should see it: the errcode's advice from wecom/errors.ts in
 * both languages (`fix`), so an admin reads what to change, not a number.
 */
export function weComFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof WeworkNotConfiguredError) {
    return new AppError(409, 'wecom_not_configured', error.messages.en, { fix: error.messages });
  }
  if (error instanceof WeComApiError) {
    // For codes outside the table, WeCom's own errmsg is the only clue an admin gets.
    const said = error.category === 'unknown' && error.errmsg ? `: ${error.errmsg}` : '';
    const fix = { zh: `${error.messages.zh}（错误码 ${error.errcode}${said}）`, en: `${error.messages.en} (errcode ${error.errcode}${said})` };
    return new AppError(502, 'wecom_error', `WeCom answered errcode ${error.errcode} (${error.errmsg}): ${error.messages.en}`, { fix });
  }
  if (error instanceof WeComTransportError) {
    const fix = {
      zh: '无法连接企业微信服务器：请检查本服务器的网络与 WECOM_API_BASE 配置，稍后重试',
      en: 'WeCom could not be reached: check this server\'s network and WECOM_API_BASE, then try again.',
    };
    return new AppError(502, 'wecom_unreachable', `${error.message}. ${fix.en}`, { fix });
  }
  if (error instanceof WeComRequestValidationError || error instanceof WeComResponseShapeError) {
    return new AppError(502, 'wecom_error', error.message);
  }
  throw error;
}

/** Runs a WeCom call, turning its failures into answers the dashboard can show (see weComFailure). */
export async function callWeCom<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw weComFailure(error);
  }
}
