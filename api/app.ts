import { Hono } from 'hono';
import { HashGate } from './auth/hash-gate.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { errorBody, handleError } from './errors.ts';
import { requireAuth, type AuthEnv } from './middleware/auth.ts';
import { resolveClientAddress, trustedProxyList } from './middleware/client-address.ts';
import { DEFAULT_BODY_LIMIT, apiBodyLimit, noStoreForApi, securityHeaders } from './middleware/security-headers.ts';
import { loginRoutes, sessionRoutes } from './routes/auth.ts';
import { healthProbeRoutes, healthStatusRoutes, type HealthDeps } from './routes/health.ts';
import { auditLogRoutes, userRoutes } from './routes/users.ts';
import { customerRoutes } from './routes/customers.ts';
import { bulkTagRoutes } from './routes/bulk-tags.ts';
import { customerPrivacyRoutes, retentionRoutes } from './routes/privacy.ts';
import { segmentRoutes } from './routes/segments.ts';
import { statisticsRoutes } from './routes/statistics.ts';
import { syncRoutes } from './routes/sync.ts';
import { temporalCodecRoutes } from './routes/temporal-codec.ts';
import { appointmentRoutes } from './routes/appointments.ts';
import { clinicRoutes } from './routes/clinic.ts';
import { automationRoutes } from './routes/automations.ts';
import { contactWayRoutes } from './routes/contact-ways.ts';
import { eventRerunRoutes } from './routes/event-reruns.ts';
import { customerBirthdayRoutes } from './routes/customer-birthdays.ts';
import { callbackInboxRoutes } from './routes/callback-inbox.ts';
import { journeyRoutes } from './routes/journeys.ts';
import { wecomConfigRoutes, type WecomConfigDeps } from './routes/wecom-config.ts';
import { weworkCallbackRoutes, type CallbackDeps } from './routes/wework-callback.ts';
import { dashboardRoutes } from './static-dashboard.ts';
import { CAMPAIGN_MEDIA_PATH } from '../common/campaigns.schema.ts';
import { CAMPAIGN_MEDIA_BODY_LIMIT, campaignMediaRoutes } from './routes/campaign-media.ts';
import { campaignRoutes, directMessageRoutes } from './routes/campaigns.ts';
import { complianceRoutes, consentRoutes } from './routes/consents.ts';
import { customerPageRoutes } from './routes/customer-pages.ts';
import { consumptionRoutes } from './routes/consumptions.ts';
import type { SendTiming } from './temporal/campaign-control.ts';
import { createSimulatorLink } from './wework/simulator-link.ts';

/** Everything the routes need, built once by the composition root (api/server.ts). */
export interface AppDeps extends HealthDeps, CallbackDeps, WecomConfigDeps {
  dashboardDist: string;
  /** Mark the session cookie `Secure`: true in production, where the dashboard is served over HTTPS. */
  secureCookies: boolean;
  /** TRUSTED_PROXIES entries: only their X-Forwarded-For is believed. Default: none. */
  trustedProxies?: readonly string[];
  /** ALLOWED_ORIGINS: browser origins besides the API's own that may sign in. */
  allowedOrigins?: readonly string[];
  /** Sign-in attempt counters; default: per username 5, per address 30, per 15 minutes, in PostgreSQL. */
  loginThrottle?: LoginThrottle;
  /** Bound on concurrent password hashing; default 2 at once, 16 waiting. */
  hashGate?: HashGate;
  /** Send Strict-Transport-Security (production, served over HTTPS). */
  hsts?: boolean;
  /** campaigns: where customers reach this server (consent page links); shorter send timings for tests. */
  publicUrl?: string;
  sendTiming?: SendTiming;
}

/**
 * The API's routes, chained so that `hc<AppType>` sees every one of them. Two groups:
 *
 * - **public**: the only routes reachable without signing in. Keep it short; each says why.
 * - **signed in**: everything else. `requireAuth` (session cookie + CSRF token on writes) runs
 *   before every route of this group, and before the 404 of unknown `/api` paths; routes add
 *   `requirePermission(...)` from common/roles.ts.
 *
 * Hono runs handlers in registration order, so a public route answers before `requireAuth` is
 * reached, and a new route mounted in the signed-in group cannot be reached without a session.
 */
export function createApiRoutes(appDeps: AppDeps) {
  const deps = {
    ...appDeps,
    loginThrottle: appDeps.loginThrottle ?? new LoginThrottle(appDeps.em),
    hashGate: appDeps.hashGate ?? new HashGate(),
    allowedOrigins: appDeps.allowedOrigins ?? [],
  };
  const publicRoutes = new Hono()
    // GET only: load balancers and the dev orchestrator poll it; it shows no customer data.
    .route('/health', healthStatusRoutes(deps))
    // Sign-in itself; attempts are counted per username and per address before any hashing.
    .route('/auth', loginRoutes(deps))
    // WeCom cannot sign in: its msg_signature check is its authentication (and it is exempt from CSRF).
    .route('/wework/callback', weworkCallbackRoutes(deps))
    // The Temporal UI's codec server: cross-origin, so it checks session, role and Origin itself (see the file).
    .route('/temporal-codec', temporalCodecRoutes(deps));

  const signedInRoutes = new Hono<AuthEnv>()
    .use(requireAuth(deps))
    .route('/auth', sessionRoutes(deps))
    .route('/health', healthProbeRoutes(deps))
    .route('/users', userRoutes(deps))
    .route('/audit-logs', auditLogRoutes(deps))
    .route('/customers', customerRoutes(deps))
    .route('/customers', customerPrivacyRoutes(deps))
    .route('/settings', retentionRoutes(deps))
    .route('/segments', segmentRoutes(deps))
    .route('/bulk-tags', bulkTagRoutes(deps))
    .route('/statistics', statisticsRoutes(deps))
    .route('/sync', syncRoutes(deps))
    .route('/wecom/config', wecomConfigRoutes(deps))
    .route('/contact-ways', contactWayRoutes({ ...deps, simulator: createSimulatorLink(deps.wecomApiBase) }))
    // Automations (SPEC §3 Automations API).
    .route('/appointments', appointmentRoutes(deps))
    .route('/customers', customerBirthdayRoutes(deps))
    .route('/automations', automationRoutes(deps))
    .route('/clinic', clinicRoutes(deps))
    .route('/journeys', journeyRoutes(deps))
    // campaigns: the SPEC §3 campaign and consent contracts, compliance settings, consumption data, 发送消息
    .route('/campaigns', campaignRoutes(deps))
    .route('/campaign-media', campaignMediaRoutes(deps))
    .route('/consents', consentRoutes(deps))
    .route('/compliance', complianceRoutes(deps))
    .route('/consumptions', consumptionRoutes(deps))
    .route('/', directMessageRoutes(deps))
    .route('/wework/inbox', callbackInboxRoutes(deps))
    // An event workflow that failed runs again under its own id once the cause is fixed.
    .route('/wework/events', eventRerunRoutes(deps));

  return new Hono().route('/', publicRoutes).route('/', signedInRoutes);
}

/** Uploads that may exceed the 1 MiB body limit: a campaign image (WeCom takes 2 MB), a consumption spreadsheet (20,000 rows). */
const UPLOAD_BODY_LIMITS = { [CAMPAIGN_MEDIA_PATH.slice(0, -1)]: CAMPAIGN_MEDIA_BODY_LIMIT, '/api/consumptions/import': 8 * 1024 * 1024 };

/** The whole HTTP app: `/api/*` plus the dashboard. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.onError(handleError);
  app.use('*', securityHeaders({ hsts: deps.hsts ?? false }));
  app.use('/api/*', resolveClientAddress(trustedProxyList(deps.trustedProxies ?? [])), noStoreForApi(new Set(['/api/health'])), apiBodyLimit(DEFAULT_BODY_LIMIT, UPLOAD_BODY_LIMITS));
  app.route('/api', createApiRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), 404));
  // campaigns: public customer pages — the consent page (/c/…) and tracked links (/l/…)
  app.route('/', customerPageRoutes(deps));
  app.route('/', dashboardRoutes(deps.dashboardDist));
  return app;
}

/** The typed shape of the API, for the dashboard's client. */
export type AppType = ReturnType<typeof createApiRoutes>;
