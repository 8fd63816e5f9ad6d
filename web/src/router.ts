import { createRouter, createWebHistory, type RouterHistory } from 'vue-router';
import HomePage from './pages/HomePage.vue';

/**
 * The dashboard's routes. Later pages (企业微信配置, 渠道活码, 客户, 群发) are added here as lazy
 * imports, and their nav entries in App.vue become links at the same time.
 */
export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  return createRouter({
    history,
    routes: [
      { path: '/', name: 'home', component: HomePage },
      { path: '/:pathMatch(.*)*', redirect: { name: 'home' } },
    ],
  });
}
