// What the browser tests share: starting the real `peakline` bin (serve, demo) and stopping it by
// PID, Debian's Chromium launched headless with a fresh profile through playwright-core, and the
// console's readouts: which result is on screen, waiting for the next full one, loading a profile.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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

/** The number of the result the P99 readout shows (each full or preview result counts one). */
export async function resultSeq(page: Page): Promise<number> {
  return Number((await page.locator('.readout-p99 output').getAttribute('data-seq')) ?? 0);
}

export interface WaitOptions {
  /** How long to wait for the result (ms). */
  timeoutMs?: number;
  /** Also wait until the charts have drawn it. */
  charts?: boolean;
}

/**
 * Waits until a full (not preview) result after result number `seq` is on screen, and returns its
 * number. On a timeout: a screenshot (failure.png) and an error with the run bar and the alerts.
 */
export async function waitForResultAfter(
  page: Page,
  seq: number,
  { timeoutMs = 90_000, charts = false }: WaitOptions = {},
): Promise<number> {
  try {
    await page.waitForFunction(
      (s) => {
        const out = document.querySelector('.readout-p99 output');
        return (
          Number(out?.getAttribute('data-seq') ?? 0) > s &&
          out?.getAttribute('data-provisional') === 'false'
        );
      },
      seq,
      { timeout: timeoutMs },
    );
  } catch (e) {
    const status = await page.locator('.runbar').textContent();
    const alerts = await page.getByRole('alert').allTextContents();
    await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true });
    throw new Error(
      `no new result after #${seq}; run status: "${status}"; alerts: ${JSON.stringify(alerts)}`,
      { cause: e },
    );
  }
  if (charts) await page.locator('.charts[data-fresh=true]').waitFor({ timeout: timeoutMs / 2 });
  return resultSeq(page);
}

/**
 * Picks the shipped profile whose name matches `title` in the Profile list and presses Load; with
 * `wait` (the default) waits for its full result.
 */
export async function loadShipped(
  page: Page,
  title: RegExp | string,
  { wait = true, ...opts }: WaitOptions & { wait?: boolean } = {},
): Promise<void> {
  const select = page.getByRole('combobox', { name: 'Profile' });
  await page.waitForFunction(() => document.querySelectorAll('.profiles option').length > 2);
  const value = await select
    .locator('option')
    .filter({ hasText: title })
    .first()
    .getAttribute('value');
  const before = await resultSeq(page);
  await select.selectOption(value!);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  if (wait) await waitForResultAfter(page, before, opts);
}

/**
 * How many recharts lines under `scope` have a real shape (more than a couple of points): a chart
 * that renders empty draws none.
 */
export const drawnLines = (page: Page, scope = '') =>
  page.$$eval(
    `${scope ? `${scope} ` : ''}path.recharts-line-curve`,
    (ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 60).length,
  );
