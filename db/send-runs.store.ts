import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Content } from '../common/campaigns.schema.ts';
import type { MessageClass } from '../common/compliance.ts';
import { SendRun } from './entities/index.ts';

/** What a new send run is: the kind of feature that sends, the message class and the frozen content. */
export type NewSendRun = {
  kind: 'campaign' | 'birthday' | 'journey' | 'appointment' | 'direct';
  messageClass: MessageClass;
  content: Content;
  campaignId?: number | null;
  campaignVersion?: number | null;
  /**
   * An idempotency key (e.g. the id of the workflow creating the run): a second call with the same
   * key returns the run the first one created instead of making another.
   */
  launchKey?: string;
};

/**
 * Creates a send run (step 1 of the send path; activities/README.md). Fill its recipients next
 * (db/audience.ts freezeAudience, or your own INSERT … SELECT into send_recipients), then start
 * sendRunWorkflow({ runId }) with workflow id workflowIds.sendRun(runId).
 */
export async function createSendRun(em: EntityManager, run: NewSendRun): Promise<number> {
  if (run.launchKey) {
    const existing = await em.findOne(SendRun, { workflowId: run.launchKey });
    if (existing) return existing.id;
  }
  const row = em.create(SendRun, {
    kind: run.kind, messageClass: run.messageClass, content: run.content, campaignId: run.campaignId ?? null,
    campaignVersion: run.campaignVersion ?? null, workflowId: run.launchKey ?? null, status: 'pending', paused: false,
    linkKey: randomBytes(16).toString('base64url'),
  });
  await em.flush();
  return row.id;
}
