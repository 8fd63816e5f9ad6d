/**
 * `npm start`: production mode. Runs the API and one worker as two child processes configured
 * only by the environment (DATABASE_URL, TEMPORAL_ADDRESS, APP_SECRET_KEY …); starts nothing
 * embedded. If either dies the other is stopped and the exit code is non-zero, so a process
 * manager restarts the pair. To scale workers out, run more `npm run start:worker` elsewhere.
 */
import { loadConfig, requireForServices, runEntryPoint } from '../config.ts';
import { Supervisor } from './lib/supervisor.ts';
import { taskQueuesNamed } from '../common/task-queues.ts';

await runEntryPoint(async () => {
  const config = loadConfig();
  requireForServices(config, 'api');
  const supervisor = new Supervisor('start');
  supervisor.handleSignals();
  const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' };
  supervisor.spawn('worker', process.execPath, ['worker.ts'], env);
  supervisor.spawn('api', process.execPath, ['api/server.ts'], env);
  supervisor.log(`API on port ${config.PORT}, worker on task queues ${config.WORKER_TASK_QUEUES.map((workload) => taskQueuesNamed(config.TEMPORAL_TASK_QUEUE)[workload]).join(', ')}; Ctrl-C or SIGTERM stops both`);
});
