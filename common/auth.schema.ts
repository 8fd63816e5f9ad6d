import { z } from 'zod';
import { ROLES } from './roles.ts';

/** Longest password accepted: long enough for passphrases, short enough to bound hashing work. */
export const PASSWORD_MAX_LENGTH = 200;
/** Shortest password accepted for a dashboard user. */
export const PASSWORD_MIN_LENGTH = 8;

/** A new password, as an admin sets it. */
export const passwordSchema = z
  .string({ error: 'password is required' })
  .min(PASSWORD_MIN_LENGTH, { error: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `password must be at most ${PASSWORD_MAX_LENGTH} characters` });

/** Body of `POST /api/auth/login`. Usernames are case-insensitive. */
export const loginRequestSchema = z.object({
  username: z.string({ error: 'username is required' }).trim().toLowerCase()
    .min(1, { error: 'username is required' }).max(200, { error: 'username is too long' }),
  password: z.string({ error: 'password is required' }).min(1, { error: 'password is required' })
    .max(PASSWORD_MAX_LENGTH, { error: 'password is too long' }),
});
/** Login form input. */
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** A dashboard user as the API shows it: never with a password hash. */
export const userViewSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
/** A dashboard user as the API shows it. */
export type UserView = z.infer<typeof userViewSchema>;

/** Body of `GET /api/auth/me` and of a successful login: who is signed in and the CSRF token to send back. */
export const sessionInfoSchema = z.object({
  user: userViewSchema,
  csrfToken: z.string(),
  /** Signed in with a generated first password: the dashboard asks for a new one before anything else. */
  mustChangePassword: z.boolean().optional(),
});
/** Who is signed in, and the token for `x-csrf-token`. */
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** Body of `POST /api/auth/change-password`. */
export const changePasswordRequestSchema = z.object({
  currentPassword: z.string({ error: 'currentPassword is required' }).min(1, { error: 'currentPassword is required' })
    .max(PASSWORD_MAX_LENGTH, { error: 'currentPassword is too long' }),
  newPassword: passwordSchema,
});
/** Input of the change-password form. */
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** Body of `POST /api/auth/logout`. */
export const logoutResponseSchema = z.object({ ok: z.literal(true) });

/** Header that carries the CSRF token on every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';
