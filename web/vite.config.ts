import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Relative asset paths: the same build is served by the platform (which adds <base href="/">) and
// exported as a support site that works from any sub-path, such as a GitHub Pages project site.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
});
