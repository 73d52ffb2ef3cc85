#!/usr/bin/env node
// `npm start` (after `npm run build`, which rebuilds only what changed): opens the desktop app when
// the Electron binary is installed (and there is a display to show it on); otherwise says why in
// one line and serves the web console instead, printing its URL like `peakline serve` (arguments
// such as --port and --host are passed on). `--web` asks for the web console directly. Like the
// `peakline` bin it runs only a build that is up to date with its sources.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProblem } from '../../build/stamp.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Where the Electron binary is, or why it cannot be used. Reads what `require('electron')` reads
 * (node_modules/electron/path.txt and dist/) without its fallback of downloading the binary.
 */
function electronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { why: 'the electron package is not installed' };
  }
  const pathFile = path.join(dir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist');
  const exe = rel ? path.join(distDir, rel) : null;
  if (!exe || !existsSync(exe))
    return { why: 'Electron binary not installed (no network at install time)' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return { why: 'no display to open the desktop app on (DISPLAY is not set)' };
  return { exe };
}

const args = process.argv.slice(2);
const wantWeb = args.includes('--web');
const serveArgs = args.filter((a) => a !== '--web');
const electron = wantWeb ? { why: null } : electronBinary();

const problem = buildProblem(electron.exe ? ['main', 'preload', 'renderer'] : ['main', 'renderer']);
if (problem) {
  process.stderr.write(`peakline: ${problem}\n`);
  process.exitCode = 1;
} else if (electron.exe) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  // Scenario files named on the command line open in the app.
  const files = serveArgs.filter((a) => !a.startsWith('--'));
  const child = spawn(electron.exe, [root, ...files], { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
} else {
  process.stderr.write(
    electron.why
      ? `${electron.why}; serving the web console instead.\n`
      : 'Serving the web console (--web).\n',
  );
  const { main } = await import('../../out/main/cli.js');
  process.exitCode = await main(['serve', ...serveArgs]);
}
