// Build stamps: what each part of the build (main, preload, renderer) was made from, so that a
// stale build never runs silently. The build records every source file a part was bundled from
// (its size and modification time) in out/.stamps/PART.json once the part is written; the
// `peakline` bin, `npm start` and the test set-up compare them with the files on disk.
// Plain JavaScript with no dependencies: the bin loads it on every start.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Where the build writes its output. */
export const OUT = path.join(ROOT, 'out');
const STAMPS = path.join(OUT, '.stamps');
/** The parts of the build, in the order electron-vite builds them. */
export const PARTS = ['main', 'preload', 'renderer'];
/** The one command that brings the build up to date. */
export const BUILD_COMMAND = 'npm run build';

const stampFile = (part) => path.join(STAMPS, `${part}.json`);
const fingerprint = (st) => [st.size, Math.round(st.mtimeMs)];

/**
 * Why `part` must be (re)built — "not built", "electron/cli/main.ts changed", … — or null when
 * it is up to date. A checkout without sources (a packaged app) has nothing to compare: null.
 */
export function staleReason(part) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile(part), 'utf8'));
  } catch {
    return 'not built';
  }
  const files = Object.entries(stamp.inputs);
  for (const [rel, [size, mtime]] of files) {
    let st;
    try {
      st = statSync(path.join(ROOT, rel));
    } catch {
      return `${rel} is gone`;
    }
    const [s, m] = fingerprint(st);
    if (s !== size || m !== mtime) return `${rel} changed`;
  }
  return null;
}

/**
 * One line saying what to do when one of `parts` is missing or out of date, else null: "not
 * built yet (out/main is missing); run: npm run build" or "the build is out of date
 * (electron/cli/main.ts changed); run: npm run build".
 */
export function buildProblem(parts) {
  for (const part of parts) {
    const why = staleReason(part);
    if (why === 'not built') return `not built yet (out/${part} is missing); run: ${BUILD_COMMAND}`;
    if (why) return `the build is out of date (${why}); run: ${BUILD_COMMAND}`;
  }
  return null;
}

/** Forgets `part`'s stamp (a build of it has started: until it ends, the part is not built). */
export function clearStamp(part) {
  rmSync(stampFile(part), { force: true });
}

/** Records the source files `part` was just built from (absolute paths; others are ignored). */
export function writeStamp(part, files) {
  const inputs = {};
  for (const file of [...new Set(files)].sort()) {
    if (!path.isAbsolute(file)) continue; // virtual modules
    const rel = path.relative(ROOT, file);
    if (
      rel.startsWith('..') ||
      path.isAbsolute(rel) ||
      rel.split(path.sep).includes('node_modules')
    )
      continue;
    inputs[rel.split(path.sep).join('/')] = fingerprint(statSync(file));
  }
  mkdirSync(STAMPS, { recursive: true });
  const tmp = `${stampFile(part)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ part, inputs }, null, 1) + '\n');
  renameSync(tmp, stampFile(part));
}

/**
 * Vite plugins that stamp `part` with the modules of its bundle (plus `extra` files, such as the
 * config and package.json): `plugin` clears the stamp when the build starts and writes it once
 * the bundle is written; `workerPlugin()` (for `worker.plugins`) adds the modules of the Web
 * Worker bundles built along the way, which the main bundle only names.
 */
export function stamp(part, extra = []) {
  const modules = new Set();
  function generateBundle() {
    for (const id of this.getModuleIds()) if (!id.startsWith('\0')) modules.add(id.split('?')[0]);
  }
  return {
    plugin: {
      name: 'peakline:stamp',
      apply: 'build',
      buildStart() {
        clearStamp(part);
        modules.clear();
      },
      generateBundle,
      closeBundle(error) {
        if (!error) writeStamp(part, [...modules, ...extra]);
      },
    },
    workerPlugin: () => ({ name: 'peakline:stamp-worker', apply: 'build', generateBundle }),
  };
}
