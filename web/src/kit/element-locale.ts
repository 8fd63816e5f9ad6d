import type { Language } from 'element-plus/es/locale/index.mjs';
import en from 'element-plus/es/locale/lang/en.mjs';
import zhCn from 'element-plus/es/locale/lang/zh-cn.mjs';
import type { AppLocale } from '../i18n/index.ts';

/** Element Plus's own texts (pager, date picker, empty table) in each dashboard language; App.vue passes it to `el-config-provider`. */
export const ELEMENT_LOCALES: Record<AppLocale, Language> = { 'zh-CN': zhCn, en };
