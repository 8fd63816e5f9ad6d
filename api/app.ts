import { Hono } from 'hono';
import { errorBody, handleError } from './errors.ts';
import { healthRoutes, type HealthDeps } from './routes/health.ts';
import { dashboardRoutes } from './static-dashboard.ts';

/** Everything the routes need, built once by the composition root (api/server.ts). */
export interface AppDeps extends HealthDeps {
  dashboardDist: string;
}

/** The API's routes, chained so that `hc<AppType>` sees every one of them. */
export function createApiRoutes(deps: AppDeps) {
  return new Hono().route('/health', healthRoutes(deps));
}

/** The whole HTTP app: `/api/*` plus the dashboard. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.onError(handleError);
  app.route('/api', createApiRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), 404));
  app.route('/', dashboardRoutes(deps.dashboardDist));
  return app;
}

/** The typed shape of the API, for the dashboard's client. */
export type AppType = ReturnType<typeof createApiRoutes>;
