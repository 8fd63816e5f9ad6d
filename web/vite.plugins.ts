import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import type { PluginOption } from 'vite';

/**
 * The dashboard's Vite plugins, shared by the build (vite.config.ts) and the component tests
 * (vitest.config.ts) so both resolve `<el-…>` tags the same way: Element Plus components and their
 * CSS are imported on demand, per file, instead of the whole kit. The tags are typed by
 * `element-plus/global` (web/tsconfig.json) and web/src/element-directives.d.ts.
 */
export function dashboardPlugins(): PluginOption[] {
  return [
    vue(),
    Components({
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: false,
    }),
  ];
}
