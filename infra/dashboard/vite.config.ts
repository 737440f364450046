import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The leadership dashboard: a static page over the public impact API (see README). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
