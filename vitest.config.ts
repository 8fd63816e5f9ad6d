import { defineConfig } from 'vitest/config';
import { dashboardPlugins } from './web/vite.plugins.ts';

/**
 * One vitest run, several projects by layer. Integration and browser tests share one embedded
 * PostgreSQL and one Temporal dev server, started once per run by tests/setup/global.ts.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/wecom/**/*.test.ts', 'tests/sim/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: dashboardPlugins(),
        test: {
          name: 'web',
          include: ['tests/web/**/*.test.ts'],
          environment: 'happy-dom',
          // Element Plus's components import their CSS; vitest must transform them, not hand them to Node.
          server: { deps: { inline: ['element-plus'] } },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/setup/global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
