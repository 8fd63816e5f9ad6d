import { z } from 'zod';
import type { WeComClient } from '../client.ts';

/*
 * message/send: app messages to **staff** only (doc 90236). Customers are reached through
 * send_welcome_msg and add_msg_template. WeCom drops messages past 30/min, 1,000/h per member.
 */

/** An app message to staff; `touser` is a list of member UserIDs (≤ 1000), joined with "|" on the wire. */
export const staffMessageRequestSchema = z
  .object({
    touser: z.array(z.string().min(1)).min(1).max(1000),
    agentid: z.number().int(),
    msgtype: z.enum(['text', 'markdown']),
    content: z.string().min(1).max(2048),
    /** WeCom drops an identical message sent within duplicate_check_interval (default 1800 s). */
    enable_duplicate_check: z.boolean().optional(),
    duplicate_check_interval: z.number().int().min(1).max(14_400).optional(),
  })
  .transform((r) => ({
    touser: r.touser.join('|'),
    agentid: r.agentid,
    msgtype: r.msgtype,
    [r.msgtype]: { content: r.content },
    ...(r.enable_duplicate_check === undefined ? {} : { enable_duplicate_check: r.enable_duplicate_check ? 1 : 0 }),
    ...(r.duplicate_check_interval === undefined ? {} : { duplicate_check_interval: r.duplicate_check_interval }),
  }));
/** message/send input. */
export type StaffMessageRequest = z.input<typeof staffMessageRequestSchema>;

/** message/send result: recipients WeCom could not deliver to, "|"-joined, split here. */
export const staffMessageResponseSchema = z.object({
  invaliduser: z.string().optional().transform(splitIds),
  invalidparty: z.string().optional().transform(splitIds),
  invalidtag: z.string().optional().transform(splitIds),
  unlicenseduser: z.string().optional().transform(splitIds),
  msgid: z.string().optional(),
});

function splitIds(value: string | undefined): string[] {
  return value ? value.split('|').filter((id) => id !== '') : [];
}

/** Staff-notification call bound to a client. */
export function messageApi(client: WeComClient) {
  return {
    /** Sends a text or markdown app message to staff members. */
    sendToStaff: (req: StaffMessageRequest) =>
      client.post('/cgi-bin/message/send', req, staffMessageResponseSchema, staffMessageRequestSchema),
  };
}
