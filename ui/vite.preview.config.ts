import { defineConfig } from 'vite';

// Dev-only: the UI with a mocked back end (preview/main.ts), for looking at
// every screen in a plain browser. Never part of the production build.
//   npx vite --config vite.preview.config.ts       -> http://127.0.0.1:1421/preview/?s=signed-in
//   npx vite build --config vite.preview.config.ts -> preview-dist/
export default defineConfig({
  base: './',
  server: { port: 1421, host: '127.0.0.1', open: false },
  // The same CSP the Tauri window enforces, so a violation shows up here too.
  preview: {
    port: 1421,
    host: '127.0.0.1',
    headers: {
      'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:",
    },
  },
  build: {
    outDir: 'preview-dist',
    emptyOutDir: true,
    // Relative to the project root (ui/), where npm runs it.
    rollupOptions: { input: { preview: 'preview/index.html' } },
  },
});
