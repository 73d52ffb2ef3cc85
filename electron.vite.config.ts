// The build (`npm run build`, also run by `npm install` through `prepare`): electron-vite compiles
//   main     → out/main/: the Electron main process (index.js) and, for plain Node, the `peakline`
//              CLI (cli.js), the sweep worker thread (sweep-worker.js) and the fidelity suite
//              (fidelity.js), sharing chunks; the runtime dependencies load from node_modules
//              and the dev dependencies used (zod) are bundled — so the CLI's start-up reads one
//              chunk instead of zod's ~70 modules, every locale included;
//   preload  → out/preload/index.cjs: one CommonJS file, as a sandboxed preload must be;
//   renderer → out/renderer/: the console UI, served by `peakline serve` and loaded by the app.
// Every file of out/main sits two folders below the root, like the sources in electron/*/, so
// `new URL('../../profiles/', import.meta.url)` means the same from both. Each part records what
// it was built from (build/stamp.mjs), so that a stale build is noticed, never run.
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { stamp } from './build/stamp.mjs';

const root = import.meta.dirname;
const at = (rel: string) => `${root}/${rel}`;
const always = [at('electron.vite.config.ts'), at('package.json'), at('build/stamp.mjs')];
const stamps = {
  main: stamp('main', always),
  preload: stamp('preload', always),
  renderer: stamp('renderer', always),
};

/** The dev server injects an inline React-refresh preamble that the strict CSP would block; the
 * CSP stays in every build, only `electron-vite dev` drops it. */
function devWithoutCsp(): Plugin {
  return {
    name: 'peakline-dev-without-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
  };
}

export default defineConfig({
  main: {
    plugins: [stamps.main.plugin],
    build: {
      outDir: at('out/main'),
      // The CLI runs on Node 20.19 as well as in Electron's Node.
      target: 'node20.19',
      sourcemap: true,
      rolldownOptions: {
        input: {
          index: at('electron/main/index.ts'),
          cli: at('electron/cli/main.ts'),
          'sweep-worker': at('electron/sweep/worker.ts'),
          fidelity: at('electron/fidelity/main.ts'),
        },
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    plugins: [stamps.preload.plugin],
    build: {
      outDir: at('out/preload'),
      rolldownOptions: {
        input: { index: at('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: at('renderer'),
    base: './',
    plugins: [react(), devWithoutCsp(), stamps.renderer.plugin],
    worker: { format: 'es', plugins: () => [stamps.renderer.workerPlugin()] },
    build: {
      outDir: at('out/renderer'),
      // Served to browsers by the web console too, not only to Electron's Chromium.
      target: 'es2022',
      // Minified, as Vite does by default (electron-vite does not): the simulation's Web Worker
      // is half the size and starts sooner, which a slider drag feels.
      minify: true,
      chunkSizeWarningLimit: 2000,
      rolldownOptions: { input: { index: at('renderer/index.html') } },
    },
    server: { host: '127.0.0.1' },
  },
});
