import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { dashboardPlugins } from './vite.plugins.ts';

/** Folder of this file (web/) and the repository root above it. */
const webDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The dashboard build. Run from the repository root: `vite build --config web/vite.config.ts`.
 * The API serves the built files under /dashboard/, so every asset URL starts with that base.
 * web/src imports the isomorphic schemas in ../common by relative path (`../../../common/x.ts`).
 */
export default defineConfig({
  root: webDir,
  base: '/dashboard/',
  plugins: dashboardPlugins(),
  define: {
    // vue-i18n's bundler build reads these compile-time flags; set them so it neither warns nor
    // ships the legacy (Options) API we do not use.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    port: 5173,
    strictPort: true,
    // The dev server must read ../common (and the repo's node_modules) outside web/.
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': { target: `http://127.0.0.1:${process.env.API_PORT ?? 3000}`, changeOrigin: false },
    },
  },
});
