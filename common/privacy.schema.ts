import { z } from 'zod';

/** Body of `POST /api/customers/:id/erase`: the customer's external id typed again, as a confirmation. */
export const eraseCustomerRequestSchema = z.object({
  confirm: z.string({ error: 'confirm is required: type the customer\'s external id' }).min(1, { error: 'confirm is required: type the customer\'s external id' }).max(64),
});
/** Input of the erase confirmation. */
export type EraseCustomerRequest = z.infer<typeof eraseCustomerRequestSchema>;

/** Body of a successful erasure: how much was removed, never what. */
export const eraseCustomerResultSchema = z.object({
  erased: z.literal(true),
  rows: z.record(z.string(), z.number().int()),
  workflowRuns: z.number().int(),
});
/** What an erasure removed, counted per table. */
export type EraseCustomerResult = z.infer<typeof eraseCustomerResultSchema>;

const retentionDays = z.number({ error: 'days must be a whole number between 1 and 3650, or null to keep forever' })
  .int({ error: 'days must be a whole number between 1 and 3650, or null to keep forever' })
  .min(1, { error: 'days must be a whole number between 1 and 3650, or null to keep forever' })
  .max(3650, { error: 'days must be a whole number between 1 and 3650, or null to keep forever' })
  .nullable();

/** `GET/PUT /api/settings/retention`: how many days callback logs and messages are kept (null: forever). */
export const retentionSettingsSchema = z.object({
  callbackLogDays: retentionDays,
  messageDays: retentionDays,
});
/** The retention settings. */
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;
