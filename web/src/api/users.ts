import type { UserView } from '../../../common/auth.schema.ts';
import {
  auditLogPageSchema, resetPasswordResponseSchema, userListSchema, userResponseSchema,
  type AuditLogPage, type CreateUserRequest, type UpdateUserRequest,
} from '../../../common/users.schema.ts';
import { getJson, patchJson, postJson } from './client.ts';

/** `GET /api/users` (admins). */
export async function listUsers(): Promise<UserView[]> {
  return (await getJson('/api/users', userListSchema)).users;
}

/** `POST /api/users` (admins). */
export async function createUser(input: CreateUserRequest): Promise<UserView> {
  return (await postJson('/api/users', input, userResponseSchema)).user;
}

/** `PATCH /api/users/:id` (admins): role, display name or disabled. */
export async function updateUser(id: number, change: UpdateUserRequest): Promise<UserView> {
  return (await patchJson(`/api/users/${id}`, change, userResponseSchema)).user;
}

/** `POST /api/users/:id/reset-password` (admins). */
export async function resetPassword(id: number, password: string): Promise<void> {
  await postJson(`/api/users/${id}/reset-password`, { password }, resetPasswordResponseSchema);
}

/** `GET /api/audit-logs` (admins): newest first. */
export function fetchAuditLog(page: number, pageSize: number): Promise<AuditLogPage> {
  return getJson(`/api/audit-logs?page=${page}&pageSize=${pageSize}`, auditLogPageSchema);
}
