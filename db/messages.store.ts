import type { Connection } from './customers.store.ts';

/** A message's send row as the sender needs it. */
export interface SendRow {
  id: number;
  status: 'pending' | 'sent' | 'failed' | 'skipped';
  /** False when the row was there already: an earlier attempt of the same send. */
  created: boolean;
}

/**
 * The send row of `sendKey`, written as pending when there is none (the row goes in before the
 * call, so a retry knows an attempt was made). One statement in the common case; a concurrent
 * attempt of the same send that commits first is read back.
 */
export async function claimSendRow(connection: Connection, row: {
  sendKey: string; kind: 'welcome' | 'staff_notification'; externalUserid: string | null; staffUserid: string; text: string;
}): Promise<SendRow> {
  const [claimed] = await connection.execute<Array<{ id: number; status: SendRow['status'] }>>(
    `insert into wework_messages (created_at, updated_at, send_key, kind, external_userid, staff_userid, msgtype, content, status)
     values (now(), now(), ?, ?, ?, ?, 'text', ?, 'pending') on conflict (send_key) do nothing returning id, status`,
    [row.sendKey, row.kind, row.externalUserid, row.staffUserid, JSON.stringify({ text: row.text })], 'all',
  );
  if (claimed) return { ...claimed, created: true };
  return { ...(await findSendRow(connection, row.sendKey))!, created: false };
}

/** The send row of `sendKey` (its id and status), or null when none was written. */
export async function findSendRow(connection: Connection, sendKey: string): Promise<Omit<SendRow, 'created'> | null> {
  const [row] = await connection.execute<Array<Omit<SendRow, 'created'>>>('select id, status from wework_messages where send_key = ?', [sendKey], 'all');
  return row ?? null;
}

/** Settles a send row: its status, the reason when there is one, and the text that went out when it changed. */
export async function settleSendRow(connection: Connection, id: number, outcome: { status: 'sent' | 'skipped' | 'failed'; errorMsg?: string | null; text?: string }): Promise<void> {
  await connection.execute(
    `update wework_messages set status = ?, sent_at = case when ? = 'sent' then now() else sent_at end, error_msg = ?,
       content = coalesce(?::jsonb, content), updated_at = now() where id = ?`,
    [outcome.status, outcome.status, outcome.errorMsg ?? null, outcome.text === undefined ? null : JSON.stringify({ text: outcome.text }), id], 'run',
  );
}
