#!/usr/bin/env node
// `npm run build`: compiles what is out of date with electron-vite (electron.vite.config.ts) — main
// (the Electron main process, the CLI, the sweep worker and the fidelity suite), preload and
// renderer — and says which part it built and why; a part whose stamp (build/stamp.mjs) matches
// its sources is left alone. `--force` rebuilds every part; `--quiet` says nothing when nothing
// was out of date. It also runs as `npm install`'s `prepare`, before `npm start`, `npm run bench`
// and `npm run fidelity`, and as the global set-up of the test projects that run the build.
import { fileURLToPath } from 'node:url';
import { PARTS, ROOT, staleReason } from './stamp.mjs';

/** Builds the parts that are out of date (all with `force`); returns the ones it built. */
export async function buildStale({
  force = false,
  log = (l) => process.stderr.write(`${l}\n`),
} = {}) {
  const todo = PARTS.map((part) => [part, force ? 'forced' : staleReason(part)]).filter(
    ([, why]) => why,
  );
  if (todo.length === 0) return [];
  const { resolveConfig } = await import('electron-vite');
  const { build } = await import('vite');
  const { config } = await resolveConfig(
    { root: ROOT, logLevel: 'warn', configFile: `${ROOT}electron.vite.config.ts` },
    'build',
    'production',
  );
  for (const [part, why] of todo) {
    const started = performance.now();
    await build(config[part]);
    log(`Built ${part} (${why}) in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  }
  return todo.map(([part]) => part);
}

/** Vitest's global set-up for the projects that run the build (the bin, serve, sweep workers). */
export async function setup() {
  await buildStale();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  try {
    const built = await buildStale({ force });
    if (built.length === 0 && !process.argv.includes('--quiet'))
      process.stderr.write('The build is up to date (out/).\n');
  } catch (e) {
    process.stderr.write(`Build failed: ${e instanceof Error ? e.message : e}\n`);
    process.exitCode = 1;
  }
}
