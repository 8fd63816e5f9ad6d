import { PiniaColada } from '@pinia/colada';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n } from './i18n/index.ts';
import { QUERY_DEFAULTS } from './queries/defaults.ts';
import { createAppRouter } from './router.ts';
import './styles/base.css';
import './styles/element-services.css';
import './styles/theme.css';
import './styles/controls.css';

createApp(App).use(createPinia()).use(PiniaColada, { queryOptions: QUERY_DEFAULTS }).use(createAppRouter()).use(createAppI18n()).mount('#app');
