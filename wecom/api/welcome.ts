import { z } from 'zod';
import type { WeComClient } from '../client.ts';
import { attachmentsSchema, emptyResponseSchema, textContentSchema } from './common.ts';

/** send_welcome_msg body: within 20 s of add_external_contact, once per WelcomeCode (doc 92137). */
export const sendWelcomeMsgRequestSchema = z
  .object({
    welcome_code: z.string().min(1),
    text: textContentSchema.optional(),
    attachments: attachmentsSchema.optional(),
  })
  .refine((r) => r.text !== undefined || (r.attachments?.length ?? 0) > 0, { message: 'a welcome message needs content' });
/** send_welcome_msg body. */
export type SendWelcomeMsgRequest = z.input<typeof sendWelcomeMsgRequestSchema>;

/** Welcome-message call bound to a client. */
export function welcomeApi(client: WeComClient) {
  return {
    /** Sends the welcome message; 41050 (expired) and 41051 (already sent) are final, never retried. */
    send: (req: SendWelcomeMsgRequest) =>
      client.post('/cgi-bin/externalcontact/send_welcome_msg', req, emptyResponseSchema, sendWelcomeMsgRequestSchema),
  };
}
