import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/activity';
import type { Content } from '../common/campaigns.schema.ts';
import type { Attachment } from '../wecom/api/common.ts';

/** The text and attachments of one add_msg_template call. */
export type WeComMessage = { text: { content: string }; attachments: Attachment[] };

/**
 * The tracked-link code of one link of one batch. Deterministic, so every attempt of a batch
 * sends byte-identical content (which is how a lost answer's task is recognised later).
 */
export function trackedLinkCode(runId: number, batchId: number, index: number): string {
  return createHash('sha256').update(`send:${runId}:${batchId}:${index}`).digest('base64url').slice(0, 12);
}

/**
 * Turns a run's frozen content into add_msg_template's fields for one batch: link attachments
 * point at this server's /l/<code> redirect (recorded per batch; a batch of one is one recipient).
 * Images go as pic_url. Mini-programs need a pic_media_id from media/upload, which this product
 * does not call yet: such content fails the run with a reason instead of sending something else.
 */
export async function buildBatchMessage(em: EntityManager, input: { runId: number; batchId: number; content: Content; publicUrl: string }): Promise<WeComMessage> {
  const attachments: Attachment[] = [];
  const links: Array<{ code: string; url: string }> = [];
  for (const [index, a] of (input.content.attachments ?? []).entries()) {
    if (a.type === 'image') attachments.push({ msgtype: 'image', image: { pic_url: a.url } });
    else if (a.type === 'link') {
      const code = trackedLinkCode(input.runId, input.batchId, index);
      links.push({ code, url: a.url });
      attachments.push({ msgtype: 'link', link: { title: a.title, url: `${input.publicUrl.replace(/\/+$/, '')}/l/${code}`, ...(a.desc ? { desc: a.desc } : {}), ...(a.picurl ? { picurl: a.picurl } : {}) } });
    } else {
      throw ApplicationFailure.nonRetryable('Mini-program attachments need media upload, which is not supported yet', 'unsupported_attachment');
    }
  }
  for (const link of links) {
    await em.getConnection().execute(
      `insert into tracked_links (code, run_id, batch_id, url, clicks, created_at) values (?, ?, ?, ?, 0, now()) on conflict (code) do nothing`,
      [link.code, input.runId, input.batchId, link.url]);
  }
  return { text: { content: input.content.text }, attachments };
}
