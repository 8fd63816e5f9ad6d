import { createHash, createHmac } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/activity';
import type { Content } from '../common/campaigns.schema.ts';
import { fillSenderVariables } from '../common/content-variables.ts';
import type { Attachment } from '../wecom/api/common.ts';

/** The text and attachments of one add_msg_template call. */
export type WeComMessage = { text: { content: string }; attachments: Attachment[] };

/**
 * The tracked-link code of one link of one batch. Deterministic, so every attempt of a batch
 * sends byte-identical content (which is how a lost answer's task is recognised later), and keyed
 * with the run's secret so that nobody can compute another's code (/l/<code> is public). A run
 * from before link keys keeps its unkeyed codes.
 */
export function trackedLinkCode(runId: number, batchId: number, index: number, linkKey: string | null): string {
  const payload = `send:${runId}:${batchId}:${index}`;
  if (linkKey === null) return createHash('sha256').update(payload).digest('base64url').slice(0, 12);
  return createHmac('sha256', linkKey).update(payload).digest('base64url').slice(0, 16);
}

/**
 * Turns a run's frozen content into add_msg_template's fields for one batch: `{staff}` becomes the
 * batch's sender's name (one task = one sender = one text), link attachments point at this
 * server's /l/<code> redirect (recorded per batch), and images and mini-program covers are uploaded
 * as temporary media by `uploadImage` (an image falls back to pic_url without it).
 */
export async function buildBatchMessage(
  em: EntityManager,
  input: { runId: number; batchId: number; linkKey: string | null; sender: string; content: Content; publicUrl: string; uploadImage?: (url: string) => Promise<string> },
): Promise<WeComMessage> {
  const attachments: Attachment[] = [];
  const links: Array<{ code: string; url: string }> = [];
  for (const [index, a] of (input.content.attachments ?? []).entries()) {
    if (a.type === 'image') {
      // Temporary media lives 3 days: uploaded here, just before this batch is submitted.
      attachments.push({ msgtype: 'image', image: input.uploadImage ? { media_id: await input.uploadImage(a.url) } : { pic_url: a.url } });
    }
    else if (a.type === 'link') {
      const code = trackedLinkCode(input.runId, input.batchId, index, input.linkKey);
      links.push({ code, url: a.url });
      attachments.push({ msgtype: 'link', link: { title: a.title, url: `${input.publicUrl.replace(/\/+$/, '')}/l/${code}`, ...(a.desc ? { desc: a.desc } : {}), ...(a.picurl ? { picurl: a.picurl } : {}) } });
    } else {
      // pic_media_id must be temporary media (no pic_url form): without an uploader there is nothing valid to send.
      if (!input.uploadImage) throw ApplicationFailure.nonRetryable('A mini-program cover needs media upload', 'miniprogram_cover_unavailable');
      attachments.push({ msgtype: 'miniprogram', miniprogram: { title: a.title, pic_media_id: await input.uploadImage(a.picUrl), appid: a.appid, page: a.page } });
    }
  }
  for (const link of links) {
    await em.getConnection().execute(
      `insert into tracked_links (code, run_id, batch_id, url, clicks, created_at) values (?, ?, ?, ?, 0, now()) on conflict (code) do nothing`,
      [link.code, input.runId, input.batchId, link.url]);
  }
  return { text: { content: await batchText(em, input.content, input.sender) }, attachments };
}

/** The text one sender's batch carries: sender variables filled from wework_staff (deterministic, so a retry matches its lost task). */
export async function batchText(em: EntityManager, content: Content, sender: string): Promise<string> {
  if (!/\{staff\}/.test(content.text)) return content.text;
  const [row] = await em.getConnection().execute<Array<{ name: string | null }>>('select name from wework_staff where userid = ?', [sender]);
  return fillSenderVariables(content.text, { staff: row?.name ?? '' });
}
