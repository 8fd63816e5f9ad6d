import { isRecurring } from '../common/campaigns.schema.ts';
import { findTermHits, readableText } from '../common/compliance.ts';
import { workflowIds } from '../common/workflow-ids.ts';
import { freezeAudience } from '../db/audience.ts';
import { readClinicCompliance, readForbiddenTerms } from '../db/compliance.store.ts';
import { Campaign, SendRun } from '../db/entities/index.ts';
import { createSendRun } from '../db/send-runs.store.ts';
import { lockUntilCommit, statementsOf } from '../db/transaction.ts';
import type { ActivityDeps } from './deps.ts';

/**
 * What one fire of a campaign produced: a run (`paused` when the marketer paused the campaign
 * before its run existed), or why it was blocked (`paused`: a Schedule fire of a paused campaign;
 * `already_launched`: another fire already made this one-off campaign's run).
 */
export type CampaignFire = { runId: number | null; audience: number; blockedBy: 'forbidden_terms' | 'not_launchable' | 'cancelled' | 'paused' | 'already_launched' | null; paused?: boolean };

/** Campaign-specific steps around the shared send path. */
export function createCampaignActivities(deps: ActivityDeps) {
  return {
    /**
     * One fire of a campaign (launch or Schedule): re-checks the forbidden terms (the list may have
     * changed since saving), copies the campaign's content into a new send run (the run keeps the
     * definition it started with) and freezes its audience into send_recipients. Idempotent per `launchKey`.
     */
    async createCampaignRun(input: { campaignId: number; launchKey: string }): Promise<CampaignFire> {
      const em = deps.orm.em.fork();
      const campaign = await em.findOne(Campaign, { id: input.campaignId });
      if (!campaign || campaign.status === 'cancelled') return { runId: null, audience: 0, blockedBy: 'not_launchable' };
      // A fire of the Schedule while the campaign is paused (its Schedule is paused too, but an
      // operator may trigger it, or pausing it may have failed) sends nothing; a launch is the API's word.
      // (A retry of a fire that already made its run goes on with it.)
      const scheduleFire = !input.launchKey.startsWith(workflowIds.campaignLaunch(campaign.id, ''));
      if (campaign.status === 'paused' && scheduleFire && !(await em.findOne(SendRun, { workflowId: input.launchKey }))) {
        return { runId: null, audience: 0, blockedBy: 'paused' };
      }
      const hits = findTermHits(readableText(campaign.content), await readForbiddenTerms(em));
      if (hits.length > 0) {
        campaign.status = 'failed';
        await em.flush();
        return { runId: null, audience: 0, blockedBy: 'forbidden_terms' };
      }
      const runId = await em.transactional(async (tem) => {
        // One fire of a campaign's version at a time decides: a one-off campaign launched by hand
        // just as its Schedule fires would otherwise get two runs, two 群发 tasks per customer.
        await lockUntilCommit(tem, `campaign-fire:${campaign.id}`);
        if (!isRecurring(campaign.schedule)) {
          const [other] = await statementsOf(tem)<Array<{ id: number }>>(
            'select id from send_runs where campaign_id = ? and campaign_version = ? and workflow_id is distinct from ? limit 1', [campaign.id, campaign.version, input.launchKey]);
          if (other) return null;
        }
        return createSendRun(tem, {
          kind: 'campaign', messageClass: 'marketing', content: campaign.content, campaignId: campaign.id, campaignVersion: campaign.version, launchKey: input.launchKey,
        });
      });
      if (runId === null) return { runId: null, audience: 0, blockedBy: 'already_launched' };
      const { timeZone } = await readClinicCompliance(em);
      const audience = await freezeAudience(em, runId, campaign.audience, timeZone);
      // Pause and cancel may arrive between launch and this moment (the API records them on the
      // campaign while it has no run): a cancelled campaign gets no run, a paused one a paused run.
      const [attached] = await em.getConnection().execute<Array<{ status: string }>>(
        `update campaigns set current_run_id = ?, launched_at = now(), finished_at = null, updated_at = now(),
           status = case when status = 'paused' and current_run_id is null then 'paused' else 'running' end
         where id = ? and status <> 'cancelled' returning status`, [runId, campaign.id]);
      if (!attached) {
        await em.getConnection().execute(`update send_runs set status = 'cancelled', finished_at = now(), updated_at = now() where id = ?`, [runId]);
        return { runId: null, audience, blockedBy: 'cancelled' };
      }
      if (attached.status === 'paused') {
        await em.getConnection().execute(`update send_runs set paused = true, updated_at = now() where id = ?`, [runId]);
        return { runId, audience, blockedBy: null, paused: true };
      }
      return { runId, audience, blockedBy: null };
    },
  };
}
