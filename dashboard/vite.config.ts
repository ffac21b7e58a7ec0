// Builds the dashboard page into dashboard/dist/, served by the gateway at /dashboard
// (gateway/src/dashboard.ts). Everything is bundled from npm: the page loads nothing from
// outside the gateway. Build with `npm run build:dashboard`.
import path from 'node:path';
import { defineConfig } from 'vite';

const root = path.resolve(__dirname);

export default defineConfig({
  root,
  base: '/dashboard/',
  // No public/ folder: every asset is imported and gets a content hash.
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // Hashed file names under assets/: the gateway serves them as immutable.
    assetsDir: 'assets',
    // Small assets inline in the bundle; the page makes as few requests as it can.
    assetsInlineLimit: 8192,
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    // `vite dashboard` for development: the operations live next to the dashboard folder,
    // and /graphql goes to a running gateway.
    fs: { allow: [path.resolve(root, '..', 'operations'), root] },
    proxy: { '/graphql': 'http://127.0.0.1:4000' },
  },
});
