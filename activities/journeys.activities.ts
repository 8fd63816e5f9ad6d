import { localDate } from '../common/clinic-time.ts';
import type { JourneyCondition, JourneyExitReason, JourneyStep } from '../common/journeys.schema.ts';
import { readClinicCompliance } from '../db/compliance.store.ts';
import { findOrCreateTag } from '../db/tags.store.ts';
import { Journey, JourneyVersion, Tag, WeworkCustomer } from '../db/entities/index.ts';
import { ensureCorpTag } from '../wecom/corp-tags.ts';
import { createSingleRecipientRun } from './automation-runs.ts';
import type { ActivityDeps } from './deps.ts';
import { simulatedWeather } from './triggers/weather.ts';
import { callWeCom } from './wecom-calls.ts';

/** The tag group journey tag steps write into (locally and as a WeCom corp tag group). */
export const JOURNEY_TAG_GROUP = '旅程';

/** Where one customer is in one journey (the enrollment row the dashboard counts). */
export interface JourneyPosition {
  workflowId: string; journeyId: number; version: number; customerId: number; staffUserId: string;
  stepIndex: number; status: 'active' | 'completed' | 'exited'; exitReason: JourneyExitReason | null; waitingUntil: number | null;
}

/** Activities of customer journeys; each is idempotent. */
export function createJourneyActivities(deps: ActivityDeps) {
  const weather = deps.weather ?? simulatedWeather();
  return {
    /** The active journey of a channel (`state`) and its current version, or null. */
    async findJourneyForChannel(input: { state: string | undefined }): Promise<{ journeyId: number; version: number } | null> {
      if (!input.state) return null;
      const journey = await deps.orm.em.fork().findOne(Journey, { channel: input.state, active: true });
      return journey ? { journeyId: journey.id, version: journey.currentVersion } : null;
    },

    /** One version's steps (immutable, so the workflow's history keeps exactly what it runs) and the clinic's time zone. */
    async loadJourneyVersion(input: { journeyId: number; version: number }): Promise<{ steps: JourneyStep[]; timeZone: string }> {
      const em = deps.orm.em.fork();
      const version = await em.findOneOrFail(JourneyVersion, { journey: input.journeyId, version: input.version });
      return { steps: version.steps, timeZone: (await readClinicCompliance(em)).timeZone };
    },

    /** Records the customer's position (an upsert keyed by the workflow id), for counts per step. */
    async recordJourneyPosition(input: JourneyPosition): Promise<void> {
      await deps.orm.em.fork().getConnection().execute(
        `insert into journey_enrollments (created_at, updated_at, journey_id, version, customer_id, staff_userid, workflow_id, step_index, status, exit_reason, waiting_until)
         values (now(), now(), ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (workflow_id) do update set journey_id = excluded.journey_id, version = excluded.version, step_index = excluded.step_index,
           status = excluded.status, exit_reason = excluded.exit_reason, waiting_until = excluded.waiting_until, updated_at = now()`,
        [input.journeyId, input.version, input.customerId, input.staffUserId, input.workflowId, input.stepIndex, input.status, input.exitReason,
          input.waitingUntil === null ? null : new Date(input.waitingUntil)]);
    },

    /**
     * Whether the customer must leave now, from the database (the signals say it sooner; this
     * catches one that never arrived): the relationship lost, marketing consent withdrawn, or an
     * appointment booked since they entered.
     */
    async journeyExitCheck(input: { workflowId: string; customerId: number; externalUserId: string; staffUserId: string }): Promise<JourneyExitReason | null> {
      const [row] = await deps.orm.em.fork().getConnection().execute<Array<{ lost: boolean; opted_out: boolean; booked: boolean }>>(
        `select exists (select 1 from wework_customer_follows f where f.customer_id = ? and f.staff_userid = ? and f.status = 'lost') as lost,
                -- 'none': the consent page was offered and never answered, which is no withdrawal.
                exists (select 1 from customer_consents cc where cc.external_userid = ? and cc.marketing = 'withdrawn' and cc.source <> 'none') as opted_out,
                exists (select 1 from appointments a where a.customer_id = ? and a.status <> 'cancelled'
                          and a.created_at >= coalesce((select e.created_at from journey_enrollments e where e.workflow_id = ?), now())) as booked`,
        [input.customerId, input.staffUserId, input.externalUserId, input.customerId, input.workflowId]);
      if (row?.lost) return 'lost';
      if (row?.opted_out) return 'opted_out';
      if (row?.booked) return 'booked';
      return null;
    },

    /** Evaluates a branch condition for the customer on the clinic-local day of `at` (epoch ms, the workflow's clock). */
    async journeyCondition(input: { condition: JourneyCondition; customerId: number; at: number }): Promise<boolean> {
      const em = deps.orm.em.fork();
      const condition = input.condition;
      if (condition.type === 'weather') {
        const { timeZone } = await readClinicCompliance(em);
        return (await weather.conditionOn(localDate(input.at, timeZone))) === condition.is;
      }
      const connection = em.getConnection();
      if (condition.type === 'booked') {
        const [row] = await connection.execute<Array<{ booked: boolean }>>(
          `select exists (select 1 from appointments where customer_id = ? and status <> 'cancelled') as booked`, [input.customerId]);
        return Boolean(row?.booked);
      }
      const [row] = await connection.execute<Array<{ tagged: boolean }>>(
        `select exists (select 1 from wework_customer_tags ct join tags t on t.id = ct.tag_id where ct.wework_customer_id = ? and t.name = ?) as tagged`,
        [input.customerId, condition.tag]);
      return Boolean(row?.tagged);
    },

    /** A journey's send step: a marketing-class send run to the customer from their staff member (consent screened by the send path). */
    async createJourneySend(input: { launchKey: string; text: string; customerId: number; externalUserId: string; staffUserId: string }): Promise<number> {
      return createSingleRecipientRun(deps.orm.em.fork(), {
        kind: 'journey', messageClass: 'marketing', text: input.text, launchKey: input.launchKey,
        customerId: input.customerId, externalUserId: input.externalUserId, sender: input.staffUserId,
      });
    },

    /** A journey's tag step: the tag (group 旅程) on the customer locally and in WeCom (mark_tag); adding it twice is a no-op. */
    async tagFromJourney(input: { customerId: number; externalUserId: string; staffUserId: string; tag: string }): Promise<void> {
      const em = deps.orm.em.fork();
      const tag = await findOrCreateTag(em, JOURNEY_TAG_GROUP, input.tag);
      if (!tag.wecomTagId) {
        const found = await callWeCom(deps, (api) => ensureCorpTag(api, { groupName: JOURNEY_TAG_GROUP, name: input.tag }));
        tag.wecomTagId = found.tagId;
        tag.wecomGroupId = found.groupId;
        await em.flush();
      }
      await callWeCom(deps, (api) => api.tags.mark({ userid: input.staffUserId, external_userid: input.externalUserId, add_tag: [tag.wecomTagId!] }));
      const customer = await em.findOneOrFail(WeworkCustomer, { id: input.customerId }, { populate: ['tags'] });
      if (!customer.tags.contains(tag)) customer.tags.add(tag);
      await em.flush();
    },
  };
}
