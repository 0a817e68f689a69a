import { defineConfig } from 'vite';

// The production bundle for the Tauri window: relative paths, no inline
// scripts or styles (the CSP allows 'self' only), nothing from the network.
export default defineConfig({
  base: './',
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: '127.0.0.1' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebView2 (Chromium), WKWebView (Safari 15+) and WebKitGTK.
    target: ['es2021', 'chrome105', 'safari15'],
    // No polyfill: it would be dead weight in these webviews.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into scripts.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
});
