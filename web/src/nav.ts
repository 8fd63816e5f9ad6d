import type { Permission } from '../../common/roles.ts';
import type { MessageSchema } from './i18n/zh-CN.ts';

/** One sidebar entry: a route name, its label key under `nav.` and who may see it. */
export interface NavEntry {
  name: string;
  label: keyof MessageSchema['nav'];
  permission: Permission;
  testid: string;
}

/**
 * The sidebar, top to bottom; each entry is shown only to roles that may open the page
 * (common/roles.ts). A new page adds one line here and one route in router.ts.
 */
export const NAV_ENTRIES: readonly NavEntry[] = [
  { name: 'home', label: 'home', permission: 'customers.view', testid: 'nav-home' },
  { name: 'wecom-config', label: 'wecomConfig', permission: 'wecom.config.view', testid: 'nav-wecom-config' },
  { name: 'contact-ways', label: 'contactWays', permission: 'contactWays.view', testid: 'nav-contact-ways' },
  { name: 'customers', label: 'customers', permission: 'customers.view', testid: 'nav-customers' },
  { name: 'messages', label: 'messages', permission: 'campaigns.view', testid: 'nav-messages' },
  { name: 'automations', label: 'automations', permission: 'automations.view', testid: 'nav-automations' },
  { name: 'settings', label: 'settings', permission: 'campaigns.view', testid: 'nav-settings' },
  { name: 'users', label: 'users', permission: 'users.manage', testid: 'nav-users' },
  { name: 'audit-logs', label: 'auditLog', permission: 'audit.view', testid: 'nav-audit-logs' },
  { name: 'system', label: 'system', permission: 'system.admin', testid: 'nav-system' },
];
