import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// In development `npm run dev` proxies the API to a local Django (scripts/quickstart).
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy: { '/api': process.env.AG_API_URL ?? 'http://127.0.0.1:8000' } },
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false },
  test: { environment: 'jsdom', include: ['tests/unit/**/*.test.ts'] },
});
