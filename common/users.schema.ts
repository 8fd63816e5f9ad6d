import { z } from 'zod';
import { passwordSchema, userViewSchema } from './auth.schema.ts';
import { ROLES } from './roles.ts';

/** A login name: lower-case letters, digits and . _ - @, 2–64 characters (case-insensitive). */
export const usernameSchema = z
  .string({ error: 'username is required' })
  .trim()
  .toLowerCase()
  .min(2, { error: 'username must be at least 2 characters' })
  .max(64, { error: 'username must be at most 64 characters' })
  .regex(/^[a-z0-9][a-z0-9._@-]*$/, { error: 'username may contain only letters, digits and . _ - @, starting with a letter or digit' });

const roleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });
const displayNameSchema = z.string().trim().max(128, { error: 'displayName must be at most 128 characters' });

/** Body of `POST /api/users`. */
export const createUserRequestSchema = z.object({
  username: usernameSchema,
  displayName: displayNameSchema.optional(),
  role: roleSchema,
  password: passwordSchema,
});
/** Input of the "new user" form. */
export type CreateUserRequest = z.input<typeof createUserRequestSchema>;

/** Body of `PATCH /api/users/:id`: any of role, display name, disabled. */
export const updateUserRequestSchema = z
  .object({
    role: roleSchema.optional(),
    displayName: displayNameSchema.nullable().optional(),
    disabled: z.boolean({ error: 'disabled must be true or false' }).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { error: 'give at least one of role, displayName, disabled' });
/** A change to one user. */
export type UpdateUserRequest = z.input<typeof updateUserRequestSchema>;

/** Body of `POST /api/users/:id/reset-password`. */
export const resetPasswordRequestSchema = z.object({ password: passwordSchema });

/** Body of `GET /api/users`. */
export const userListSchema = z.object({ users: z.array(userViewSchema) });

/** Body of `POST /api/users` and `PATCH /api/users/:id`. */
export const userResponseSchema = z.object({ user: userViewSchema });

/** Body of `POST /api/users/:id/reset-password`. */
export const resetPasswordResponseSchema = z.object({ ok: z.literal(true) });

/** Actions the audit log records. */
export const AUDIT_ACTIONS = [
  'auth.login', 'auth.login_failed', 'auth.logout', 'auth.password_change',
  'user.create', 'user.update', 'user.disable', 'user.enable', 'user.password_reset',
  'customer.tags', 'customer.bulk_tags', 'sync.start', 'customer.export', 'customer.erase', 'settings.retention',
  'wecom_config.update', 'wecom_config.test',
  'contact_way.create', 'contact_way.update', 'contact_way.delete', 'contact_way.import', 'contact_way.simulate_scan',
  'segment.create', 'segment.update', 'segment.delete',
  // campaigns
  'campaign.create', 'campaign.update', 'campaign.launch', 'campaign.pause', 'campaign.resume', 'campaign.cancel', 'message.direct',
  'consent.import', 'consent.record', 'consent.care', 'compliance.update', 'campaign.media_upload', 'consumption.import',
  'callback.retry',
  'callback.rerun',
  'automations.settings',
] as const;
/** One audited action. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Query of `GET /api/audit-logs`. */
export const auditLogQuerySchema = z.object({
  page: z.coerce.number({ error: 'page must be a whole number ≥ 1' }).int({ error: 'page must be a whole number ≥ 1' }).min(1, { error: 'page must be a whole number ≥ 1' }).default(1),
  pageSize: z.coerce.number({ error: 'pageSize must be between 1 and 200' }).int({ error: 'pageSize must be between 1 and 200' }).min(1, { error: 'pageSize must be between 1 and 200' }).max(200, { error: 'pageSize must be between 1 and 200' }).default(50),
  action: z.string().max(64).optional(),
});

/** One audit log entry. `details` never holds a secret. */
export const auditLogEntrySchema = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  actorUserId: z.number().int().nullable(),
  actorUsername: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
});
/** One audit log entry. */
export type AuditLogEntry = z.infer<typeof auditLogEntrySchema>;

/** Body of `GET /api/audit-logs`: newest first. */
export const auditLogPageSchema = z.object({
  items: z.array(auditLogEntrySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
/** One page of the audit log. */
export type AuditLogPage = z.infer<typeof auditLogPageSchema>;
