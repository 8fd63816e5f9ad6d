import { PiniaColada } from '@pinia/colada';
import { DOMWrapper, flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, vi } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import type { SessionInfo } from '../../common/auth.schema.ts';
import type { HealthReport, ProbeResult } from '../../common/health.schema.ts';
import type { Role } from '../../common/roles.ts';
import App from '../../web/src/App.vue';
import { createAppI18n } from '../../web/src/i18n/index.ts';
import { QUERY_DEFAULTS } from '../../web/src/queries/defaults.ts';
import { createAppRouter } from '../../web/src/router.ts';

/** A report in which every component is up, as `GET /api/health/details` answers it with HTTP 200. */
export function healthyReport(overrides: Partial<HealthReport> = {}): HealthReport {
  return {
    ok: true,
    version: '0.1.0',
    checkedAt: '2026-11-25T08:30:00.000Z',
    temporalUiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows',
    components: {
      database: { ok: true, status: 'up', latencyMs: 3 },
      temporal: { ok: true, status: 'up', latencyMs: 12 },
      worker: { ok: true, status: 'up', pollers: 2 },
      wecom: { ok: true, status: 'configured', configured: true, corpId: 'ww1234567890abcdef' },
    },
    ...overrides,
  };
}

/** A successful probe result, as `POST /api/health/probe` answers it. */
export function probeOk(overrides: Partial<ProbeResult> = {}): ProbeResult {
  return {
    ok: true,
    workflowId: 'health-probe-7f3a',
    runId: '0192f0a4-1111-7000-8000-000000000001',
    roundTripMs: 123,
    workerIdentity: '4242@clinic-host',
    databaseOk: true,
    ...overrides,
  };
}

/** `GET /api/auth/me` of a signed-in user with `role`. */
export function signedInAs(role: Role, overrides: Partial<SessionInfo['user']> = {}): SessionInfo {
  return {
    user: { id: 1, username: `${role}-user`, displayName: null, role, disabled: false, lastLoginAt: null, createdAt: '2026-11-25T08:00:00.000Z', ...overrides },
    csrfToken: `csrf-${role}`,
  };
}

/** A JSON response exactly as the API (or a browser) would produce it. */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/** How the fake network answers one request: a response, or a thrown network failure. */
export type FakeRoute = (init: RequestInit | undefined) => Response | Promise<Response>;

/** The default answer to `GET /api/auth/me`: the dashboard's pages need someone signed in. */
const signedInAsAdmin: FakeRoute = () => jsonResponse(signedInAs('admin'));

/** The answer to `GET /api/auth/me` when nobody is signed in. */
export const signedOut: FakeRoute = () => jsonResponse({ error: { code: 'unauthenticated', message: 'Sign in to continue.' } }, 401);

/**
 * Replaces the browser's `fetch` with a table keyed by `METHOD /path`. A key that is absent answers
 * 404 with the API's error shape, like the real server, except `GET /api/auth/me`, which answers
 * as a signed-in admin unless the table says otherwise. Returns the mock to inspect calls.
 */
export function stubNetwork(routes: Record<string, FakeRoute>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url, 'http://localhost').pathname;
    const key = `${(init?.method ?? 'GET').toUpperCase()} ${path}`;
    const route = routes[key] ?? (key === 'GET /api/auth/me' ? signedInAsAdmin : undefined);
    if (!route) return jsonResponse({ error: { code: 'not_found', message: `No route ${key}` } }, 404);
    return route(init);
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

/** A network failure as browsers report it when nothing listens on the port. */
export const networkDown: FakeRoute = () => {
  throw new TypeError('Failed to fetch');
};

/** Dashboards mounted by the running test, unmounted after it by `resetAfterEachTest()`. */
const mounted = new Set<VueWrapper>();

/**
 * The lifecycle every dashboard test file shares: a fresh localStorage before each test; after it,
 * every dashboard `mountDashboard` mounted is unmounted, what Element Plus left in the body
 * (dialogs, toasts) is removed, and the stubbed `fetch` and any fake timers are restored.
 */
export function resetAfterEachTest(): void {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    for (const wrapper of mounted) wrapper.unmount();
    document.body.innerHTML = '';
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}

/** Mounts the whole dashboard (shell + router + store + i18n) at `path`, as a browser would show it. */
export async function mountDashboard(path = '/'): Promise<VueWrapper & { router: ReturnType<typeof createAppRouter> }> {
  // The router's guard reads the auth store, so Pinia is active before the first navigation (as in main.ts).
  const pinia = createPinia();
  setActivePinia(pinia);
  const router = createAppRouter(createMemoryHistory('/dashboard/'));
  await router.push(path);
  await router.isReady();
  const wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [pinia, [PiniaColada, { queryOptions: QUERY_DEFAULTS }], router, createAppI18n()] },
  });
  mounted.add(wrapper);
  // A test may unmount early (to mount again); the clean-up then skips it.
  const unmount = wrapper.unmount.bind(wrapper);
  wrapper.unmount = () => {
    mounted.delete(wrapper);
    unmount();
  };
  await settle();
  return Object.assign(wrapper, { router });
}

/** Lets pending fetches, store updates and re-renders finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await flushPromises();
}

/** Picks the option labelled `label` in the Element Plus select matching `selector`, as a click would. */
export async function chooseOption(wrapper: VueWrapper, selector: string, label: string): Promise<void> {
  const select = wrapper.findAllComponents({ name: 'ElSelect' }).find((found) => found.element instanceof Element && found.element.matches(selector));
  if (!select) throw new Error(`no select ${selector}`);
  const option = select.findAllComponents({ name: 'ElOption' }).find((found) => found.text().trim() === label);
  if (!option) throw new Error(`no option ${label} in ${selector}`);
  await option.trigger('click');
  await settle();
}

/**
 * The form field labelled `label` (an `el-form-item`, as a screen reader finds it by its label):
 * its control and the validation message shown next to it.
 */
export function fieldLabelled(wrapper: VueWrapper, label: string): { control: Omit<DOMWrapper<Element>, 'exists'>; item: DOMWrapper<Element>; error: () => string | null } {
  const labelEl = wrapper.findAll('label').find((found) => found.text().trim() === label);
  if (!labelEl) throw new Error(`no field labelled ${label}`);
  const item = labelEl.element.closest('.el-form-item');
  const forId = labelEl.attributes('for');
  const control = forId ? wrapper.get(`[id="${forId}"]`) : wrapper.get(`[aria-label="${label}"]`);
  if (!item) throw new Error(`${label} is not a form field`);
  return { control, item: new DOMWrapper(item), error: () => item.querySelector('[role="alert"]')?.textContent?.trim() ?? null };
}

/** The validation message next to the field labelled `label`, once the form shows it (Element Plus shows it after 100 ms). */
export async function errorNextTo(wrapper: VueWrapper, label: string): Promise<string> {
  let message: string | null = null;
  await vi.waitFor(() => {
    message = fieldLabelled(wrapper, label).error();
    if (!message) throw new Error(`no message next to ${label}`);
  }, { timeout: 2_000, interval: 20 });
  return message!;
}
