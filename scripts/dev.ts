/**
 * `npm run dev`: the whole product on one machine. Starts what is not configured externally —
 * embedded PostgreSQL, the Temporal dev server (+ Web UI), the WeCom simulator — then the worker,
 * the API (serving the built dashboard) and Vite's hot-reload server; prints the URLs; Ctrl-C
 * stops everything. Data lives under DATA_DIR (.data/) and survives restarts.
 */
import path from 'node:path';
import { loadConfig, runEntryPoint } from '../config.ts';
import { createLogger } from '../logging/logger.ts';
import { DEMO_OPTIONS } from '../sim/options.ts';
import { readOrCreateDevSecretKey } from './lib/app-secret.ts';
import { makeEnterable, startEmbeddedPostgres } from './lib/embedded-postgres.ts';
import { preferredOrFreePort } from './lib/ports.ts';
import { Supervisor, waitForHttp } from './lib/supervisor.ts';
import { startTemporalDevServer } from './lib/temporal-dev-server.ts';
import { WORKER_NODE_FLAGS } from './lib/worker-node-flags.ts';

await runEntryPoint(async () => {
  const config = loadConfig();
  const supervisor = new Supervisor();
  supervisor.handleSignals();
  const dataDir = path.resolve(config.DATA_DIR);
  makeEnterable(dataDir);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development' };
  const node = process.execPath;

  try {
    env.APP_SECRET_KEY = config.APP_SECRET_KEY ?? readOrCreateDevSecretKey(dataDir);

    if (!config.DATABASE_URL) {
      const port = await preferredOrFreePort(5433);
      supervisor.log(`starting embedded PostgreSQL on ${port} (data in ${path.relative(process.cwd(), dataDir)}/postgres) …`);
      const database = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port });
      supervisor.onStop('postgres', database.stop);
      env.DATABASE_URL = database.url;
    }

    if (!config.TEMPORAL_ADDRESS) {
      const port = await preferredOrFreePort(7233);
      const uiPort = await preferredOrFreePort(8233);
      supervisor.log(`starting Temporal dev server on ${port}, Web UI on ${uiPort} …`);
      const temporal = await startTemporalDevServer({
        port,
        uiPort,
        dbFilename: path.join(dataDir, 'temporal.sqlite'),
        devSqlite: true,
        namespace: config.TEMPORAL_NAMESPACE,
        // Histories are encrypted: the UI decodes through the API (signed-in admins only).
        codecEndpoint: `http://localhost:${config.PORT}/api/temporal-codec`,
        log: (line) => { if (/level=(ERROR|FATAL)/.test(line)) createLogger('temporal').error(line); },
      });
      supervisor.onStop('temporal', temporal.stop);
      env.TEMPORAL_ADDRESS = temporal.address;
      env.TEMPORAL_UI_URL ??= temporal.uiUrl ?? undefined;
    }

    const simulatorEntry = path.resolve('sim/main.ts');
    if (!process.env.WECOM_API_BASE) {
      const simPort = await preferredOrFreePort(3100);
      const sim = supervisor.spawn('sim', node, [simulatorEntry], {
        ...env,
        SIM_PORT: String(simPort),
        SIM_CALLBACK_URL: `http://127.0.0.1:${config.PORT}/api/wework/callback`,
        SIM_STATE_FILE: path.join(dataDir, 'simulator.json'),
      });
      await waitForHttp(`http://127.0.0.1:${simPort}/sim/health`, { child: sim.child, timeoutMs: 30_000 });
      env.WECOM_API_BASE = `http://127.0.0.1:${simPort}`;
      // Point the product at the simulator's demo corp unless real credentials were given.
      if (!config.WECOM_CORP_ID) {
        Object.assign(env, {
          WECOM_CORP_ID: DEMO_OPTIONS.corpId,
          WECOM_CORP_SECRET: DEMO_OPTIONS.corpSecret,
          WECOM_AGENT_ID: DEMO_OPTIONS.agentId,
          WECOM_TOKEN: DEMO_OPTIONS.token,
          WECOM_ENCODING_AES_KEY: DEMO_OPTIONS.encodingAesKey,
        });
      }
      supervisor.log(`WeCom simulator on ${env.WECOM_API_BASE} (set WECOM_API_BASE to use real WeCom)`);
    }

    supervisor.log('building the dashboard …');
    const build = supervisor.spawn('build', node, [path.resolve('node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], env, { critical: false });
    await new Promise<void>((resolve, reject) => build.child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error('dashboard build failed')))));

    const worker = supervisor.spawn('worker', node, [...WORKER_NODE_FLAGS, 'worker.ts'], env);
    const api = supervisor.spawn('api', node, ['api/server.ts'], env);
    const apiUrl = `http://localhost:${config.PORT}`;
    await waitForHttp(`${apiUrl}/api/health`, { child: api.child, acceptStatus: [503] });
    await waitForHttp(`${apiUrl}/api/health`, { child: worker.child, timeoutMs: 120_000 });

    const vitePort = await preferredOrFreePort(5173);
    supervisor.spawn('vite', node, [path.resolve('node_modules/vite/bin/vite.js'), '--config', 'web/vite.config.ts', '--port', String(vitePort), '--strictPort', '--logLevel', 'warn'], { ...env, API_PORT: String(config.PORT) }, { critical: false });

    console.log(`
  医美企微助手 is running — Ctrl-C stops everything.

  Dashboard            ${apiUrl}/dashboard/
  Dashboard (hot)      http://localhost:${vitePort}/dashboard/
  API health           ${apiUrl}/api/health
  WeCom callback URL   ${apiUrl}/api/wework/callback
  Temporal UI          ${env.TEMPORAL_UI_URL ?? '(external cluster)'}
                       (histories are encrypted: admins signed in to the dashboard see them decoded
                       once the UI's codec settings include credentials, see README § Security)
  Temporal frontend    ${env.TEMPORAL_ADDRESS}
  PostgreSQL           ${env.DATABASE_URL?.replace(/:[^:@/]+@/, ':****@')}
  WeCom API            ${env.WECOM_API_BASE ?? config.WECOM_API_BASE}
`);
  } catch (error) {
    supervisor.log(`start-up failed: ${(error as Error).message}`);
    await supervisor.stopAll(1);
  }
});
