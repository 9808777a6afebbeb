import { createApp } from 'vue';
import App from './App.vue';
import { reportUnexpected } from './composables/useErrorBanner';
import { router } from './router';
import './styles.css';

const app = createApp(App);
app.config.errorHandler = (error) => reportUnexpected(error);
window.addEventListener('unhandledrejection', (event) => reportUnexpected(event.reason));
app.use(router).mount('#app');
