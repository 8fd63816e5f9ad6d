import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n } from './i18n/index.ts';
import { createAppRouter } from './router.ts';
import './styles/base.css';
import './styles/controls.css';

createApp(App).use(createPinia()).use(createAppRouter()).use(createAppI18n()).mount('#app');
