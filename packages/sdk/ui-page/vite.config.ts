// Bundles the dashboard's page into the SDK's dist/ui at build time (after tsdown, which cleans
// dist): one HTML file, one script, one stylesheet, with uPlot inside. The installed package
// serves these files itself; no CDN, nothing more to install.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill is an inline-free script, but modern browsers need none; one file less.
    modulePreload: { polyfill: false },
    // Everything stays a file: the CSP allows no inline script or style.
    assetsInlineLimit: 0,
  },
})
