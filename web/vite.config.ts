import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The UI is served by `filet serve` from web/dist at `/`; in development `vite web` proxies the API to a
// running server (FILET_API, default http://127.0.0.1:8080) so cookies stay same-origin.
const api = process.env.FILET_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Sigma and graphology are one large chunk by nature; the warning says nothing actionable.
    chunkSizeWarningLimit: 1200,
    // Air-gapped labs: everything ships in the bundle, nothing is inlined from or linked to elsewhere.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': api } },
});
