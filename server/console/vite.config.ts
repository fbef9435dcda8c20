import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The staff console, served by the server under /console (server/console/dist). One chunk per page and the
 * dashboard's chart library on its own, so the login page does not wait for what it does not show.
 */
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd and React come to ~1 MB minified; warn only past that.
    chunkSizeWarningLimit: 1200,
    // The console runs in a current desktop browser; no legacy transforms to spend CI minutes on.
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    port: 5174,
    // `npm run dev -w server/console` next to `npm start`: the API comes from the demo server.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
