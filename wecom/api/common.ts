import { z } from 'zod';

/** A response that carries nothing beyond errcode/errmsg (checked by the HTTP layer). */
export const emptyResponseSchema = z.object({});

/** Paging cursor WeCom returns; empty or absent when there is no next page. */
export const nextCursorSchema = z.string().optional().default('');

/** Text content of welcome and mass messages. */
export const textContentSchema = z.object({ content: z.string().min(1).max(4000) });

/** One attachment of a welcome or mass message (image, link, mini-program, video or file). */
export const attachmentSchema = z.discriminatedUnion('msgtype', [
  z.object({
    msgtype: z.literal('image'),
    image: z.union([z.object({ media_id: z.string().min(1) }), z.object({ pic_url: z.url() })]),
  }),
  z.object({
    msgtype: z.literal('link'),
    link: z.object({
      title: z.string().min(1).max(128),
      picurl: z.string().optional(),
      desc: z.string().max(512).optional(),
      url: z.url(),
    }),
  }),
  z.object({
    msgtype: z.literal('miniprogram'),
    miniprogram: z.object({
      title: z.string().min(1).max(64),
      pic_media_id: z.string().min(1),
      appid: z.string().min(1),
      page: z.string().min(1),
    }),
  }),
  z.object({ msgtype: z.literal('video'), video: z.object({ media_id: z.string().min(1) }) }),
  z.object({ msgtype: z.literal('file'), file: z.object({ media_id: z.string().min(1) }) }),
]);

/** An attachment of a welcome or mass message. */
export type Attachment = z.infer<typeof attachmentSchema>;

/** At most 9 attachments per message (docs 92137, 92135). */
export const attachmentsSchema = z.array(attachmentSchema).max(9);
