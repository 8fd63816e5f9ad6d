import { z } from 'zod';

/**
 * Inputs of the workflows that WeCom's customer-contact callbacks start. Versioned JSON, validated
 * at the edge; workflows read only these fields, never the raw XML.
 */

const contactEventFields = {
  version: z.literal(1),
  /** Deterministic key of the decrypted event; WeCom's retries share it. */
  dedupeKey: z.string().min(1),
  /** The staff member (UserID) on the relationship. */
  userId: z.string().min(1),
  externalUserId: z.string().min(1),
  /** WeCom's CreateTime, seconds since the epoch. */
  createTime: z.number().int().nonnegative(),
};

/** add_external_contact / add_half_external_contact → onboarding. */
export const onboardingInputSchema = z.object({
  ...contactEventFields,
  kind: z.enum(['add_external_contact', 'add_half_external_contact']),
  /** The scanned code's `state` (channel label); absent when the customer came another way. */
  state: z.string().optional(),
  /** Single-use code for the welcome message, valid 20 s after createTime. */
  welcomeCode: z.string().optional(),
});
/** Input of onboardCustomerWorkflow. */
export type OnboardingInput = z.infer<typeof onboardingInputSchema>;

/** del_external_contact / del_follow_user → the relationship is lost. */
export const relationshipLostInputSchema = z.object({
  ...contactEventFields,
  kind: z.enum(['del_external_contact', 'del_follow_user']),
  /** e.g. DELETE_BY_TRANSFER (not a real loss: the customer moved to another staff member). */
  source: z.string().optional(),
});
/** Input of customerLostWorkflow. */
export type RelationshipLostInput = z.infer<typeof relationshipLostInputSchema>;

/** edit_external_contact → refresh the customer's detail. */
export const customerEditedInputSchema = z.object({ ...contactEventFields, kind: z.literal('edit_external_contact') });
/** Input of refreshCustomerWorkflow. */
export type CustomerEditedInput = z.infer<typeof customerEditedInputSchema>;

/** transfer_fail → record why. */
export const transferFailedInputSchema = z.object({
  ...contactEventFields,
  kind: z.literal('transfer_fail'),
  failReason: z.string().optional(),
});
/** Input of recordTransferFailureWorkflow. */
export type TransferFailedInput = z.infer<typeof transferFailedInputSchema>;

/** change_external_tag → re-sync corp tags. */
export const corpTagsChangedInputSchema = z.object({
  version: z.literal(1),
  dedupeKey: z.string().min(1),
  changeType: z.enum(['create', 'update', 'delete', 'shuffle']),
  tagId: z.string().optional(),
  tagType: z.enum(['tag', 'tag_group']).optional(),
});
/** Input of syncCorpTagsWorkflow. */
export type CorpTagsChangedInput = z.infer<typeof corpTagsChangedInputSchema>;

/** A message a staff member sent to the app → stored. */
export const staffMessageInputSchema = z.object({
  version: z.literal(1),
  dedupeKey: z.string().min(1),
  msgId: z.string().min(1),
  fromUserId: z.string().min(1),
  msgType: z.string().min(1),
  content: z.string().optional(),
  createTime: z.number().int().nonnegative(),
});
/** Input of storeStaffMessageWorkflow. */
export type StaffMessageInput = z.infer<typeof staffMessageInputSchema>;

/** The channel tag group every channel code's customers are tagged under. */
export const CHANNEL_TAG_GROUP = '渠道';

/** The channel a code stands for, which names its tag: the code's remark (e.g. 小红书), else its state. */
export function channelName(code: { remark?: string | null; state?: string | null }): string {
  return code.remark || code.state || '其他';
}
