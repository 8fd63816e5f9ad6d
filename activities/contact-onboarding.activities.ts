import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { formatClinicClock } from '../common/clinic-time.ts';
import { CHANNEL_TAG_GROUP, channelName } from '../common/contact-events.schema.ts';
import { previewWelcome } from '../common/contact-way.schema.ts';
import { consentPageToken, readClinicCompliance } from '../db/compliance.store.ts';
import { claimSendRow, findSendRow, settleSendRow } from '../db/messages.store.ts';
import { ensureCustomerLead, upsertCustomers, upsertFollows } from '../db/customers.store.ts';
import { callbackSyncGeneration } from '../db/sync-generations.store.ts';
import { findOrCreateTag, tagCustomerLocally } from '../db/tags.store.ts';
import { WeworkContactWay } from '../db/entities/index.ts';
import type { IWeworkContactWay } from '../db/entities/wework-contact-way.entity.ts';
import type { ActivityDeps } from './deps.ts';
import { sendStaffNotice, type StaffNoticeOutcome } from './staff-notice.ts';
import type { getExternalContactResponseSchema } from '../wecom/api/customer.ts';
import { ensureCorpTag } from '../wecom/corp-tags.ts';
import { callWeCom, isWeComErrcode } from './wecom-calls.ts';
import { asActivityFailure, hasErrcode } from './wecom-failure.ts';
import { customerFields } from './wecom-records.ts';

/** The default welcome text when a channel code has no template of its own. */
export const DEFAULT_WELCOME_TEXT = '您好{name}，欢迎咨询！我是您的专属顾问，有任何问题随时联系我～';

/** What the welcome step did, for the workflow's history and the dashboard. */
export type WelcomeOutcome = 'sent' | 'already_greeted' | 'expired' | 'no_code' | 'previously_sent';

/** A customer's WeCom detail reduced to what the product keeps. */
export interface CustomerDetail {
  externalUserId: string;
  name: string;
  avatar: string | null;
  gender: number;
  type: number | null;
  unionid: string | null;
  corpName: string | null;
  follows: Array<{
    userId: string;
    remark: string | null;
    description: string | null;
    createTime: number;
    addWay: number | null;
    state: string | null;
    operUserId: string | null;
    tagIds: string[];
  }>;
}


/** The channel a `state` stands for: the code's remark when it has one (e.g. 小红书), else the state. */
async function channelOf(em: EntityManager, state: string | undefined): Promise<{ name: string; contactWay: IWeworkContactWay | null }> {
  if (!state) return { name: '其他', contactWay: null };
  const contactWay = await em.findOne(WeworkContactWay, { state }, { orderBy: { id: 'desc' } });
  return { name: channelName({ remark: contactWay?.remark, state }), contactWay };
}

/** The detail WeCom answers for one customer (externalcontact/get). */
type ExternalContactAnswer = z.infer<typeof getExternalContactResponseSchema>;

/** A customer's detail as the product keeps it, from WeCom's answer. */
function customerDetailOf(answer: ExternalContactAnswer): CustomerDetail {
  const contact = answer.external_contact;
  return {
    externalUserId: contact.external_userid,
    name: contact.name,
    avatar: contact.avatar ?? null,
    gender: contact.gender ?? 0,
    type: contact.type ?? null,
    unionid: contact.unionid ?? null,
    corpName: contact.corp_name ?? null,
    follows: answer.follow_user.map((follow) => ({
      userId: follow.userid,
      remark: follow.remark ?? null,
      description: follow.description ?? null,
      createTime: follow.createtime,
      addWay: follow.add_way ?? null,
      state: follow.state ?? null,
      operUserId: follow.oper_userid ?? null,
      tagIds: follow.tags.map((tag) => tag.tag_id).filter((id): id is string => Boolean(id)),
    })),
  };
}

/** How long the welcome's read of a customer may stand in for onboarding's own, moments later. */
const JUST_READ_MS = 15_000;

/** Activities of the onboarding workflow; each is safe to run again after a crash. */
export function createContactOnboardingActivities(deps: ActivityDeps) {
  // The welcome reads the customer (for {name}) a moment before onboarding records them: that
  // answer is kept briefly and taken once by recordCustomer, so an onboarding reads WeCom once,
  // not twice (externalcontact/get has its own quota). Only onboarding takes it; an edit's
  // refresh always reads WeCom anew.
  const justRead = new Map<string, { at: number; answer: ExternalContactAnswer }>();
  const remember = (answer: ExternalContactAnswer) => {
    justRead.set(answer.external_contact.external_userid, { at: Date.now(), answer });
    if (justRead.size > 1_000) justRead.delete(justRead.keys().next().value!);
  };
  const takeJustRead = (externalUserId: string) => {
    const kept = justRead.get(externalUserId);
    justRead.delete(externalUserId);
    return kept && Date.now() - kept.at < JUST_READ_MS ? kept.answer : undefined;
  };

  const activities = {
    /**
     * Sends the channel's welcome message with the single-use WelcomeCode. The message row keyed
     * by `sendKey` makes a repeat a no-op; 41051 means someone already greeted the customer.
     */
    async sendWelcomeMessage(input: { sendKey: string; welcomeCode: string | undefined; userId: string; externalUserId: string; state: string | undefined }): Promise<WelcomeOutcome> {
      const em = deps.orm.em.fork();
      const connection = em.getConnection();
      if (!input.welcomeCode) return (await findSendRow(connection, input.sendKey))?.status === 'sent' ? 'previously_sent' : 'no_code';

      const { name: channel, contactWay } = await channelOf(em, input.state);
      const template = contactWay?.welcomeTemplate?.text || DEFAULT_WELCOME_TEXT;
      // The name is a nicety: if the lookup fails the greeting goes out without it, inside the 20 s window.
      const name = await callWeCom(deps, (api) => api.customer.get(input.externalUserId)).then((answer) => {
        remember(answer);
        return answer.external_contact.name;
      }, () => '');
      // {consent}: the customer's consent page, its token minted now (once per customer).
      const consent = template.includes('{consent}')
        ? `${(deps.publicUrl ?? 'http://localhost:3000').replace(/\/+$/, '')}/c/${await consentPageToken(em, input.externalUserId)}` : '';
      const text = previewWelcome(template, { name, staff: input.userId, channel, consent });
      // Record the attempt before sending: if this worker dies mid-call, the retry knows it tried.
      const row = await claimSendRow(connection, { sendKey: input.sendKey, kind: 'welcome', externalUserid: input.externalUserId, staffUserid: input.userId, text });
      if (row.status === 'sent') return 'previously_sent';
      const interruptedBefore = !row.created && row.status === 'pending';
      const api = await callWeCom(deps, async (ready) => ready);
      try {
        // Called directly (not through callWeCom) so that 41050/41051 can be told apart below.
        await api.welcome.send({ welcome_code: input.welcomeCode, text: { content: text } });
        await settleSendRow(connection, row.id, { status: 'sent', text });
        return 'sent';
      } catch (error) {
        if (hasErrcode(error, 41051) && interruptedBefore) {
          // The code was used and our own earlier attempt was cut off mid-call: that attempt is what used it.
          await settleSendRow(connection, row.id, { status: 'sent', errorMsg: '41051 on retry after an interrupted attempt: the first attempt delivered it' });
          return 'sent';
        }
        if (hasErrcode(error, 41051) || hasErrcode(error, 41050)) {
          const already = hasErrcode(error, 41051);
          await settleSendRow(connection, row.id, {
            status: 'skipped',
            errorMsg: already ? '41051: the customer was already greeted or the chat has started' : '41050: the WelcomeCode expired (20 s) before the message went out',
          });
          return already ? 'already_greeted' : 'expired';
        }
        throw asActivityFailure(error);
      }
    },

    /** Reads the customer's profile and every staff relationship from WeCom. */
    async fetchCustomerDetail(input: { externalUserId: string }): Promise<CustomerDetail> {
      return customerDetailOf(await callWeCom(deps, (api) => api.customer.get(input.externalUserId)));
    },

    /**
     * Creates or updates the customer and each follow relationship (keyed on WeCom ids). `event` is
     * the add or edit callback that asked for it: its relationship changes only when the event is
     * not older than the last one applied (the watermark), and an add re-activates a relationship a
     * deletion had ended. Other relationships get their fields refreshed, never their status.
     */
    async saveCustomer(input: { detail: CustomerDetail; event?: { userId: string; createTime: number; kind: 'add' | 'edit' } }): Promise<{ customerId: number }> {
      const em = deps.orm.em.fork();
      const { detail, event } = input;
      const connection = em.getConnection();
      // added_at is the earliest relationship: a later follow (a second staff member) never moves it.
      const firstFollow = Math.min(...detail.follows.map((follow) => follow.createTime));
      const idOf = await upsertCustomers(connection, [customerFields({
        external_userid: detail.externalUserId, name: detail.name, avatar: detail.avatar ?? undefined, gender: detail.gender,
        unionid: detail.unionid ?? undefined, type: detail.type ?? undefined, corp_name: detail.corpName ?? undefined,
      }, Number.isFinite(firstFollow) ? firstFollow : null)]);
      const customerId = idOf.get(detail.externalUserId)!;
      // WeCom's detail is its word that these relationships exist: no sync running now marks them lost.
      const generation = await callbackSyncGeneration(em);
      await upsertFollows(connection, detail.follows.map((follow) => {
        const ours = event?.userId === follow.userId ? event : undefined;
        return {
          customerId, staffUserid: follow.userId, remark: follow.remark, description: follow.description, addWay: follow.addWay, state: follow.state,
          operUserid: follow.operUserId, wecomTagIds: follow.tagIds, followedAt: new Date(follow.createTime * 1000),
          // Without an event (older callers), WeCom's word is the state, as before the watermark.
          reactivate: !event || ours?.kind === 'add', eventWatermark: ours?.createTime ?? null, syncGeneration: generation,
        };
      }));
      return { customerId };
    },

    /**
     * Gives the customer a lead, attributed to the first channel they came through: an existing
     * lead keeps its source (first-touch attribution).
     */
    async ensureLead(input: { customerId: number; state: string | undefined; name: string }): Promise<{ leadId: number; created: boolean }> {
      return ensureCustomerLead(deps.orm.em.getConnection(), {
        customerId: input.customerId, name: input.name || null, source: input.state ? `wework_${input.state}` : 'wework',
      });
    },

    /**
     * Tags the customer with their channel, locally and in WeCom: creates the 渠道 group and the
     * tag in WeCom when missing, then mark_tag. Adding a tag the customer already has is a no-op.
     */
    async tagByChannel(input: { customerId: number; leadId: number; userId: string; externalUserId: string; state: string | undefined }): Promise<{ tag: string; wecomTagId: string }> {
      const em = deps.orm.em.fork();
      const { name } = await channelOf(em, input.state);
      // Usually made when the code was saved; a code made in WeCom, or a save WeCom refused, gets it here.
      const tag = await findOrCreateTag(em, CHANNEL_TAG_GROUP, name);
      // Tags deleted in WeCom and races with another onboarding are recovered here, not retried blindly.
      await callWeCom(deps, async (api) => {
        const ensureInWeCom = async () => {
          const found = await ensureCorpTag(api, { groupName: CHANNEL_TAG_GROUP, name });
          tag.wecomTagId = found.tagId;
          tag.wecomGroupId = found.groupId;
          await em.flush();
        };
        if (!tag.wecomTagId) await ensureInWeCom();
        const mark = () => api.tags.mark({ userid: input.userId, external_userid: input.externalUserId, add_tag: [tag.wecomTagId!] });
        try {
          await mark();
        } catch (error) {
          // 40068: the tag id is invalid — someone deleted the tag in WeCom. Re-read (or re-create) it and mark again.
          if (!isWeComErrcode(error, 40068)) throw error;
          await ensureInWeCom();
          await mark();
        }
      });

      await tagCustomerLocally(em.getConnection(), { tagId: tag.id, wecomTagId: tag.wecomTagId!, customerId: input.customerId, leadId: input.leadId, staffUserid: input.userId });
      return { tag: `${CHANNEL_TAG_GROUP}/${name}`, wecomTagId: tag.wecomTagId! };
    },

    /**
     * Tells a staff member about their customer through an app message (message/send reaches staff
     * only). Like the welcome: a pending row is committed before the call, and WeCom's own duplicate
     * check drops the resend of an attempt whose answer was lost (a worker died mid-call). With
     * `addedAt` (the event's CreateTime, s) the text ends with that clinic time: two customers with
     * one nickname at one staff member within WeCom's 30-minute check would otherwise be one notice.
     */
    async notifyStaff(input: { sendKey: string; userId: string; externalUserId: string; text: string; addedAt?: number }): Promise<StaffNoticeOutcome> {
      if (input.addedAt === undefined) return sendStaffNotice(deps, input);
      const { timeZone } = await readClinicCompliance(deps.orm.em.fork());
      const time = formatClinicClock(input.addedAt * 1000, timeZone);
      return sendStaffNotice(deps, { ...input, text: `${input.text}（${time} 添加）` });
    },

    /** The channel's display name for a state (小红书 for state `xiaohongshu` with that remark). */
    async channelName(input: { state: string | undefined }): Promise<string> {
      return (await channelOf(deps.orm.em.fork(), input.state)).name;
    },

    /**
     * Onboarding's record of a new customer in one step (since patched('onboarding-single-patch')):
     * reads their detail from WeCom, saves them and every relationship, and gives them a lead. Only
     * what the rest of onboarding needs goes back into the workflow's history, not the detail.
     */
    async recordCustomer(input: { externalUserId: string; state: string | undefined; event: { userId: string; createTime: number; kind: 'add' } }): Promise<{ customerId: number; leadId: number; leadCreated: boolean; name: string }> {
      const answer = takeJustRead(input.externalUserId) ?? await callWeCom(deps, (api) => api.customer.get(input.externalUserId));
      const detail = customerDetailOf(answer);
      const { customerId } = await activities.saveCustomer({ detail, event: input.event });
      const lead = await activities.ensureLead({ customerId, state: input.state, name: detail.name });
      return { customerId, leadId: lead.leadId, leadCreated: lead.created, name: detail.name };
    },
  };
  return activities;
}
