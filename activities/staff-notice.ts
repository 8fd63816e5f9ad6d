import { WeworkConfig } from '../db/entities/index.ts';
import { claimSendRow, settleSendRow } from '../db/messages.store.ts';
import type { ActivityDeps } from './deps.ts';
import { callWeCom } from './wecom-calls.ts';

/**
 * Tells a staff member something through an app message (message/send reaches staff only),
 * idempotent by `sendKey`: a pending wework_messages row is written first and turns 'sent'.
 */
export async function sendStaffNotice(deps: ActivityDeps, input: { sendKey: string; userId: string; externalUserId: string | null; text: string }): Promise<'sent' | 'previously_sent'> {
  const em = deps.orm.em.fork();
  const connection = em.getConnection();
  // The pending row is written before the call, and WeCom's own duplicate check covers a retry
  // whose first attempt reached WeCom but died before the row turned 'sent'.
  const row = await claimSendRow(connection, { sendKey: input.sendKey, kind: 'staff_notification', externalUserid: input.externalUserId, staffUserid: input.userId, text: input.text });
  if (row.status === 'sent') return 'previously_sent';
  const config = await em.findOneOrFail(WeworkConfig, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
  await callWeCom(deps, (api) => api.messages.sendToStaff({
    touser: [input.userId], agentid: Number(config.agentId), msgtype: 'text', content: input.text, enable_duplicate_check: true, duplicate_check_interval: 1_800,
  }));
  await settleSendRow(connection, row.id, { status: 'sent', text: input.text });
  return 'sent';
}
