import { Hono } from 'hono';
import { LoginThrottle } from './auth/login-throttle.ts';
import { errorBody, handleError } from './errors.ts';
import { requireAuth, type AuthEnv } from './middleware/auth.ts';
import { loginRoutes, sessionRoutes } from './routes/auth.ts';
import { healthProbeRoutes, healthStatusRoutes, type HealthDeps } from './routes/health.ts';
import { auditLogRoutes, userRoutes } from './routes/users.ts';
import { customerRoutes } from './routes/customers.ts';
import { syncRoutes } from './routes/sync.ts';
import { appointmentRoutes } from './routes/appointments.ts';
import { automationRoutes } from './routes/automations.ts';
import { contactWayRoutes } from './routes/contact-ways.ts';
import { customerBirthdayRoutes } from './routes/customer-birthdays.ts';
import { journeyRoutes } from './routes/journeys.ts';
import { wecomConfigRoutes, type WecomConfigDeps } from './routes/wecom-config.ts';
import { weworkCallbackRoutes, type CallbackDeps } from './routes/wework-callback.ts';
import { dashboardRoutes } from './static-dashboard.ts';
import { campaignRoutes, directMessageRoutes } from './routes/campaigns.ts';
import { complianceRoutes, consentRoutes, segmentRoutes } from './routes/consents.ts';
import { customerPageRoutes } from './routes/customer-pages.ts';
import type { SendTiming } from './temporal/campaign-control.ts';
import { createSimulatorLink } from './wework/simulator-link.ts';

/** Everything the routes need, built once by the composition root (api/server.ts). */
export interface AppDeps extends HealthDeps, CallbackDeps, WecomConfigDeps {
  dashboardDist: string;
  /** Mark the session cookie `Secure`: true in production, where the dashboard is served over HTTPS. */
  secureCookies: boolean;
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
export function createApiRoutes(deps: AppDeps) {
  const publicRoutes = new Hono()
    // GET only: load balancers and the dev orchestrator poll it; it shows no customer data.
    .route('/health', healthStatusRoutes(deps))
    // Sign-in itself; failed attempts are rate-limited per username + address.
    .route('/auth', loginRoutes(deps, new LoginThrottle()))
    // WeCom cannot sign in: its msg_signature check is its authentication (and it is exempt from CSRF).
    .route('/wework/callback', weworkCallbackRoutes(deps));

  const signedInRoutes = new Hono<AuthEnv>()
    .use(requireAuth(deps))
    .route('/auth', sessionRoutes(deps))
    .route('/health', healthProbeRoutes(deps))
    .route('/users', userRoutes(deps))
    .route('/audit-logs', auditLogRoutes(deps))
    .route('/customers', customerRoutes(deps))
    .route('/sync', syncRoutes(deps))
    .route('/wecom/config', wecomConfigRoutes(deps))
    .route('/contact-ways', contactWayRoutes({ ...deps, simulator: createSimulatorLink(deps.wecomApiBase) }))
    // Automations (SPEC §3 Automations API).
    .route('/appointments', appointmentRoutes(deps))
    .route('/customers', customerBirthdayRoutes(deps))
    .route('/automations', automationRoutes(deps))
    .route('/journeys', journeyRoutes(deps))
    // campaigns: the SPEC §3 campaign and consent contracts, compliance settings, segments, 发送消息
    .route('/campaigns', campaignRoutes(deps))
    .route('/consents', consentRoutes(deps))
    .route('/compliance', complianceRoutes(deps))
    .route('/segments', segmentRoutes(deps))
    .route('/', directMessageRoutes(deps));

  return new Hono().route('/', publicRoutes).route('/', signedInRoutes);
}

/** The whole HTTP app: `/api/*` plus the dashboard. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.onError(handleError);
  app.route('/api', createApiRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), 404));
  // campaigns: public customer pages — the consent page (/c/…) and tracked links (/l/…)
  app.route('/', customerPageRoutes(deps));
  app.route('/', dashboardRoutes(deps.dashboardDist));
  return app;
}

/** The typed shape of the API, for the dashboard's client. */
export type AppType = ReturnType<typeof createApiRoutes>;
