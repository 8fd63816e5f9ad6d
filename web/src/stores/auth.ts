import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { SessionInfo, UserView } from '../../../common/auth.schema.ts';
import { can as roleCan, type Permission } from '../../../common/roles.ts';
import { changePassword as apiChangePassword, login as apiLogin, logout as apiLogout, fetchMe } from '../api/auth.ts';
import { ApiRequestError, setCsrfToken } from '../api/client.ts';
import { fetchClinic } from '../api/settings.ts';
import { setClinicTimeZone } from '../kit/format.ts';

/** A `redirect` query value that is a path inside the dashboard, never another site. */
export function safeRedirect(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : null;
}

/** Who is signed in, their CSRF token, sign-in and sign-out. */
export const useAuthStore = defineStore('auth', () => {
  /** The signed-in user, or null. */
  const user = shallowRef<UserView | null>(null);
  /** True once `GET /api/auth/me` has answered (signed in or not). */
  const loaded = ref(false);
  const role = computed(() => user.value?.role ?? null);
  /** Signed in with a generated first password that must be changed before anything else. */
  const mustChangePassword = ref(false);

  function apply(info: SessionInfo | null): void {
    user.value = info?.user ?? null;
    mustChangePassword.value = info?.mustChangePassword ?? false;
    setCsrfToken(info?.csrfToken ?? null);
    // Days and times are shown in the clinic's zone from its settings row; until it answers, the default.
    if (info?.user) void fetchClinic().then((clinic) => setClinicTimeZone(clinic.timeZone), () => {});
  }

  let inFlight: Promise<void> | null = null;

  /** Asks the API who is signed in, once; later calls reuse the answer. */
  function ensureLoaded(): Promise<void> {
    if (loaded.value) return Promise.resolve();
    inFlight ??= (async () => {
      try {
        apply(await fetchMe());
        loaded.value = true;
      } catch (cause) {
        apply(null);
        // 401 is a real answer ("signed out"); after a network failure, ask again on the next navigation.
        if (cause instanceof ApiRequestError && cause.status === 401) loaded.value = true;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  /** Signs in; throws the API's error (e.g. `invalid_credentials`, `too_many_attempts`) for the form to show. */
  async function login(username: string, password: string): Promise<void> {
    apply(await apiLogin({ username, password }));
    loaded.value = true;
  }

  /** Replaces the password (required after a generated first one); throws the API's error for the form. */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    apply(await apiChangePassword({ currentPassword, newPassword }));
  }

  /** Signs out; the local state is cleared even if the API cannot be reached. */
  async function logout(): Promise<void> {
    try {
      await apiLogout();
    } finally {
      signedOut();
    }
  }

  /** Forgets the user after the API said the session ended. */
  function signedOut(): void {
    apply(null);
    loaded.value = true;
  }

  /** True when the signed-in user's role holds `permission` (common/roles.ts). */
  function can(permission: Permission): boolean {
    return roleCan(role.value, permission);
  }

  return { user, role, mustChangePassword, loaded, ensureLoaded, login, changePassword, logout, signedOut, can };
});
