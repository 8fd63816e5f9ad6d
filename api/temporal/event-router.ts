import type { SearchAttributePair } from '@temporalio/common';
import { workflowIds } from '../../common/workflow-ids.ts';
import type {
  CorpTagsChangedInput, CustomerEditedInput, OnboardingInput, RelationshipLostInput, StaffMessageInput, TransferFailedInput,
} from '../../common/contact-events.schema.ts';
import type { ParsedCallbackEvent } from '../../wecom/events.ts';
import { channelKey, customerKey, staffKey } from './search-attribute-keys.ts';


/** Which workflow a callback event starts, with what input, and how it reads in the Temporal UI. */
export interface EventWorkflowStart {
  workflowType: string;
  workflowId: string;
  input: OnboardingInput | RelationshipLostInput | CustomerEditedInput | TransferFailedInput | CorpTagsChangedInput | StaffMessageInput;
  searchAttributes: SearchAttributePair[];
  /** One line an operator reads in the workflow list. */
  summary: string;
}

/** How long after its event a WelcomeCode is accepted (wecom-facts.md): past it, an add event has lost its greeting anyway. */
export const WELCOME_WINDOW_MS = 20_000;

/**
 * Temporal priority keys (1 runs first, 5 last, 3 when none is given): within a backlog on the
 * realtime queue, an add event whose WelcomeCode is still alive goes before everything else, and
 * one whose code has died (an event the relay picks up after an outage) after the other events.
 */
export const EVENT_PRIORITY = { freshAdd: 1, staleAdd: 4 } as const;

/** The priority key to start an event's workflow with at `nowMs`; undefined keeps Temporal's default. */
export function eventPriority(start: Pick<EventWorkflowStart, 'workflowType' | 'input'>, nowMs: number): number | undefined {
  if (start.workflowType !== 'onboardCustomerWorkflow' || !('createTime' in start.input)) return undefined;
  return nowMs - start.input.createTime * 1000 <= WELCOME_WINDOW_MS ? EVENT_PRIORITY.freshAdd : EVENT_PRIORITY.staleAdd;
}

/** The plain search attributes of a customer–staff workflow: opaque WeCom ids (and the channel), never names. */
export function contactAttributes(userId: string, externalUserId: string, state?: string): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: customerKey, value: externalUserId },
    { key: staffKey, value: userId },
  ];
  if (state) pairs.push({ key: channelKey, value: state });
  return pairs;
}

/**
 * Maps a decrypted callback event to the workflow that handles it; null for events the product
 * only logs (group-chat changes, unknown events). The workflow id is the event's dedupe key.
 */
export function routeCallbackEvent({ event, dedupeKey }: ParsedCallbackEvent): EventWorkflowStart | null {
  const workflowId = workflowIds.wecomEvent(dedupeKey);
  switch (event.kind) {
    case 'add_external_contact':
    case 'add_half_external_contact':
      return {
        workflowType: 'onboardCustomerWorkflow',
        workflowId,
        input: {
          version: 1, kind: event.kind, dedupeKey, userId: event.userId, externalUserId: event.externalUserId, createTime: event.createTime,
          ...(event.state ? { state: event.state } : {}),
          ...(event.welcomeCode ? { welcomeCode: event.welcomeCode } : {}),
        },
        searchAttributes: contactAttributes(event.userId, event.externalUserId, event.state),
        summary: `新客户接入 onboarding ${event.externalUserId} → ${event.userId}${event.state ? ` (渠道 ${event.state})` : ''}`,
      };
    case 'del_external_contact':
    case 'del_follow_user':
      return {
        workflowType: 'customerLostWorkflow',
        workflowId,
        input: {
          version: 1, kind: event.kind, dedupeKey, userId: event.userId, externalUserId: event.externalUserId, createTime: event.createTime,
          ...(event.kind === 'del_external_contact' && event.source ? { source: event.source } : {}),
        },
        searchAttributes: contactAttributes(event.userId, event.externalUserId),
        summary: `客户关系结束 relationship lost ${event.externalUserId} ✕ ${event.userId} (${event.kind})`,
      };
    case 'edit_external_contact':
      return {
        workflowType: 'refreshCustomerWorkflow',
        workflowId,
        input: { version: 1, kind: event.kind, dedupeKey, userId: event.userId, externalUserId: event.externalUserId, createTime: event.createTime },
        searchAttributes: contactAttributes(event.userId, event.externalUserId),
        summary: `客户资料更新 customer edited ${event.externalUserId}`,
      };
    case 'transfer_fail':
      return {
        workflowType: 'recordTransferFailureWorkflow',
        workflowId,
        input: {
          version: 1, kind: event.kind, dedupeKey, userId: event.userId, externalUserId: event.externalUserId, createTime: event.createTime,
          ...(event.failReason ? { failReason: event.failReason } : {}),
        },
        searchAttributes: contactAttributes(event.userId, event.externalUserId),
        summary: `客户转接失败 transfer failed ${event.externalUserId} (${event.failReason ?? 'unknown'})`,
      };
    case 'change_external_tag':
      return {
        workflowType: 'syncCorpTagsWorkflow',
        workflowId,
        input: {
          version: 1, dedupeKey, changeType: event.changeType,
          ...(event.tagId ? { tagId: event.tagId } : {}), ...(event.tagType ? { tagType: event.tagType } : {}),
        },
        searchAttributes: [],
        summary: `企业标签变更 corp tags ${event.changeType}`,
      };
    case 'message':
      return {
        workflowType: 'storeStaffMessageWorkflow',
        workflowId,
        input: {
          version: 1, dedupeKey, msgId: event.msgId, fromUserId: event.fromUserName, msgType: event.msgType, createTime: event.createTime,
          ...(event.content === undefined ? {} : { content: event.content }),
        },
        searchAttributes: [{ key: staffKey, value: event.fromUserName }],
        summary: `员工消息 staff message from ${event.fromUserName}`,
      };
    default:
      return null;
  }
}
