// Bundles the preload into one CommonJS file that needs nothing but `electron` (a sandboxed
// preload cannot load other modules). Run by `npm start` before launching Electron and by
// `npm run dist` before packaging.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the app expects the bundled preload. */
export const PRELOAD_BUNDLE = path.join(REPO_ROOT, 'out', 'electron', 'preload.cjs');

/** Builds `electron/preload/index.ts` into `outFile` (CommonJS, `electron` left external). */
export async function bundlePreload(outFile: string = PRELOAD_BUNDLE): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'warn',
    root: REPO_ROOT,
    build: {
      lib: {
        entry: path.join(REPO_ROOT, 'electron', 'preload', 'index.ts'),
        formats: ['cjs'],
        fileName: () => path.basename(outFile),
      },
      outDir: path.dirname(outFile),
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      target: 'node22',
      rollupOptions: { external: ['electron'] },
    },
  });
  return outFile;
}
