import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { UserView } from '../../../common/auth.schema.ts';
import type { AuditLogPage, CreateUserRequest, UpdateUserRequest } from '../../../common/users.schema.ts';
import { ApiRequestError } from '../api/client.ts';
import * as api from '../api/users.ts';

/** Any thrown value as an `ApiRequestError`. */
function toApiError(cause: unknown): ApiRequestError {
  if (cause instanceof ApiRequestError) return cause;
  return new ApiRequestError('unexpected', cause instanceof Error ? cause.message : String(cause));
}

/** Dashboard users (admins only). Actions throw `ApiRequestError` for the form that called them to show inline. */
export const useUsersStore = defineStore('users', () => {
  const users = shallowRef<UserView[]>([]);
  const loading = ref(false);
  const error = shallowRef<ApiRequestError | null>(null);

  /** Loads the list. */
  async function load(): Promise<void> {
    loading.value = true;
    try {
      users.value = await api.listUsers();
      error.value = null;
    } catch (cause) {
      error.value = toApiError(cause);
    } finally {
      loading.value = false;
    }
  }

  function replace(user: UserView): void {
    const others = users.value.filter((u) => u.id !== user.id);
    users.value = [...others, user].sort((a, b) => a.username.localeCompare(b.username));
  }

  /** Creates a user and adds it to the list. */
  async function create(input: CreateUserRequest): Promise<UserView> {
    const user = await api.createUser(input).catch((cause: unknown) => { throw toApiError(cause); });
    replace(user);
    return user;
  }

  /** Changes role, display name or disabled. */
  async function update(id: number, change: UpdateUserRequest): Promise<UserView> {
    const user = await api.updateUser(id, change).catch((cause: unknown) => { throw toApiError(cause); });
    replace(user);
    return user;
  }

  /** Sets a new password (the user is signed out everywhere). */
  async function resetPassword(id: number, password: string): Promise<void> {
    await api.resetPassword(id, password).catch((cause: unknown) => { throw toApiError(cause); });
  }

  return { users, loading, error, load, create, update, resetPassword };
});

