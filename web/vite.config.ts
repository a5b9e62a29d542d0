import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Three pages from one build into `web/dist`, sharing their chunks: the console (`index.html`, served by the fleet
 * server with the API and socket.io on the same origin, so the build needs no proxy), the cart screen
 * (`cart.html`, served by each cart's runtime: devices/cart/screen/) and the member app (`member.html`, served by
 * the fleet at `/member`). `vite dev` proxies /api and /socket.io to a fleet on :8080 for working on the console.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      input: { console: `${root}index.html`, cart: `${root}cart.html`, member: `${root}member.html` },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/login': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
