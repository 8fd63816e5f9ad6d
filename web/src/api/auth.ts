import { logoutResponseSchema, sessionInfoSchema, type ChangePasswordRequest, type LoginRequest, type SessionInfo } from '../../../common/auth.schema.ts';
import { getJson, postJson } from './client.ts';

/** `POST /api/auth/login`: starts a session (the cookie is set by the browser) and returns who signed in. */
export function login(input: LoginRequest): Promise<SessionInfo> {
  return postJson('/api/auth/login', input, sessionInfoSchema);
}

/** `GET /api/auth/me`: the signed-in user and the CSRF token; 401 when signed out. */
export function fetchMe(): Promise<SessionInfo> {
  return getJson('/api/auth/me', sessionInfoSchema);
}

/** `POST /api/auth/logout`: ends the session. */
export async function logout(): Promise<void> {
  await postJson('/api/auth/logout', {}, logoutResponseSchema);
}

/** `POST /api/auth/change-password`: replaces the signed-in user's password (a generated first one must be). */
export function changePassword(input: ChangePasswordRequest): Promise<SessionInfo> {
  return postJson('/api/auth/change-password', input, sessionInfoSchema);
}
