import { z } from 'zod';
import type { WeComClient } from '../client.ts';

/** media/upload answer: a temporary media_id, valid 3 days (40007 after that). */
export const mediaUploadResponseSchema = z.object({
  type: z.string().optional(),
  media_id: z.string().min(1),
  created_at: z.union([z.number(), z.string()]).optional(),
});

/** 上传临时素材 (doc 90253): images for 群发 and welcome attachments, uploaded just before a send. */
export function mediaApi(client: WeComClient) {
  return {
    /** Uploads an image (≤ 2 MB, JPG/PNG) as temporary media; answers its media_id. */
    uploadImage: (bytes: Uint8Array, filename: string, contentType: string) => {
      const form = new FormData();
      form.append('media', new Blob([bytes], { type: contentType }), filename);
      return client.call({ method: 'POST', path: '/cgi-bin/media/upload', query: { type: 'image' }, body: form, responseSchema: mediaUploadResponseSchema });
    },
  };
}
