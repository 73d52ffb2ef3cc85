// Vite build of the console UI: root `renderer/`, output `renderer/dist` (served by `peakline serve`
// and loaded by the Electron shell), React plugin, ES-module Web Workers for the simulator.
import type { Plugin, UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

// No Node imports here (the renderer's lint rule); Node ≥ 20.11 gives import.meta.dirname.
const root = import.meta.dirname;

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

const config: UserConfig = {
  root,
  base: './',
  plugins: [react(), devWithoutCsp()],
  worker: { format: 'es' },
  build: {
    outDir: `${root}/dist`,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  server: { host: '127.0.0.1' },
};

export default config;
