import { createRouter, createWebHistory, type RouteLocationRaw, type RouterHistory } from 'vue-router';
import type { Permission } from '../../common/roles.ts';
import { safeRedirect, useAuthStore } from './stores/auth.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in (only the sign-in page). */
    public?: boolean;
    /** Needed to open the page (common/roles.ts); without it the guard goes home. */
    permission?: Permission;
  }
}

/**
 * The dashboard's routes. Later pages (企业微信配置, 渠道活码, 客户, 群发) are added here as lazy
 * imports with the permission they need, and their nav entries in App.vue become links.
 * Every page but the sign-in page needs a signed-in user; the guard sends others to sign in and
 * back afterwards.
 */
export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  const router = createRouter({
    history,
    routes: [
      { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
      { path: '/', name: 'home', component: () => import('./pages/OverviewPage.vue'), meta: { permission: 'customers.view' } },
      { path: '/system', name: 'system', component: () => import('./pages/HomePage.vue'), meta: { permission: 'system.admin' } },
      { path: '/users', name: 'users', component: () => import('./pages/UsersPage.vue'), meta: { permission: 'users.manage' } },
      { path: '/audit-logs', name: 'audit-logs', component: () => import('./pages/AuditLogPage.vue'), meta: { permission: 'audit.view' } },
      { path: '/customers', name: 'customers', component: () => import('./pages/CustomersPage.vue'), meta: { permission: 'customers.view' } },
      { path: '/customers/:id(\\d+)', name: 'customer-detail', component: () => import('./pages/CustomerDetailPage.vue'), meta: { permission: 'customers.view' } },
      { path: '/wework/config', name: 'wecom-config', component: () => import('./pages/WecomConfigPage.vue'), meta: { permission: 'wecom.config.view' } },
      { path: '/wework/contact-ways', name: 'contact-ways', component: () => import('./pages/ContactWaysPage.vue'), meta: { permission: 'contactWays.view' } },
      // campaigns (群发): the seed's /dashboard/wework/messages
      { path: '/wework/messages', name: 'messages', component: () => import('./pages/campaigns/CampaignsPage.vue'), meta: { permission: 'campaigns.view' } },
      { path: '/wework/messages/new', name: 'message-new', component: () => import('./pages/campaigns/CampaignBuilderPage.vue'), meta: { permission: 'campaigns.manage' } },
      { path: '/wework/messages/:id(\\d+)/edit', name: 'message-edit', component: () => import('./pages/campaigns/CampaignBuilderPage.vue'), meta: { permission: 'campaigns.manage' } },
      { path: '/wework/messages/:id(\\d+)', name: 'message-detail', component: () => import('./pages/campaigns/CampaignDetailPage.vue'), meta: { permission: 'campaigns.view' } },
      { path: '/automations', name: 'automations', component: () => import('./pages/automations/AutomationsPage.vue'), meta: { permission: 'automations.view' } },
      { path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue'), meta: { permission: 'campaigns.view' } },
      { path: '/:pathMatch(.*)*', redirect: { name: 'home' } },
    ],
  });

  router.beforeEach(async (to): Promise<boolean | RouteLocationRaw> => {
    const auth = useAuthStore();
    await auth.ensureLoaded();
    if (to.meta.public) {
      if (to.name === 'login' && auth.user && !auth.mustChangePassword) return safeRedirect(to.query.redirect) ?? { name: 'home' };
      return true;
    }
    if (!auth.user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
    // A generated first password is changed on the sign-in page before anything else opens.
    if (auth.mustChangePassword) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
    if (to.meta.permission && !auth.can(to.meta.permission)) return { name: 'home' };
    return true;
  });

  return router;
}
