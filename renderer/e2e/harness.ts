// What the browser tests share: starting the real `peakline` bin (serve, demo) and stopping it by
// PID, and Debian's Chromium launched headless with a fresh profile through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The repository root. */
export const repo = path.resolve(import.meta.dirname, '../..');
/** Where the browser tests save their screenshots. */
export const shots = path.join(repo, 'renderer/e2e/screenshots');

/** Spawns the peakline bin and resolves with the first stdout match of `pattern` (its group 1). */
export function startBin(
  args: string[],
  pattern: RegExp,
  env: NodeJS.ProcessEnv,
): Promise<{ proc: ChildProcess; match: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['electron/bin/peakline.mjs', ...args], {
      cwd: repo,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve({ proc, match: m[1] });
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code) => reject(new Error(`peakline ${args[0]} exited (${code}): ${err}`)));
  });
}

/** Starts `peakline serve --port 0` and resolves with the process and the URL it prints. */
export async function startServe(
  env: NodeJS.ProcessEnv,
): Promise<{ proc: ChildProcess; url: string }> {
  const { proc, match } = await startBin(
    ['serve', '--port', '0'],
    /Peakline console: (http:\/\/\S+)/,
    env,
  );
  return { proc, url: match };
}

/** Stops a process started here by its PID and waits for it to exit. */
export function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.pid === undefined) return Promise.resolve();
  const gone = new Promise<void>((r) => proc.once('exit', () => r()));
  process.kill(proc.pid, 'SIGTERM');
  return gone;
}

/** Launches headless Debian Chromium on a fresh profile directory (returned for clean-up). */
export async function launchChromium(
  options: { acceptDownloads?: boolean } = {},
): Promise<{ ctx: BrowserContext; profileDir: string }> {
  const profileDir = mkdtempSync(path.join(tmpdir(), 'peakline-e2e-chromium-'));
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    ...options,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { ctx, profileDir };
}
