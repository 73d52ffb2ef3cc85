// Vite build of the console UI: root `renderer/`, output `renderer/dist` (served by `peakline serve`
// and loaded by the Electron shell), React plugin, ES-module Web Workers for the simulator.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The dev server injects an inline React-refresh preamble that the strict CSP would block; the
 * CSP stays in every build, only `vite dev` drops it. */
function devWithoutCsp(): Plugin {
  return {
    name: 'peakline-dev-without-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), devWithoutCsp()],
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  server: { host: '127.0.0.1' },
});
