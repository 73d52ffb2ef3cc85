// Planning ahead in the console, in real Chromium against `peakline serve`: a planner loads the
// sale-day autoscaling profile and reads the instances chart (serving, provisioning, draining,
// the violated SLO windows shaded) with its cost and SLO summary, in English and in 简体中文; then
// opens a profile that replays an nginx access log, is asked for the file, picks it, and sees the
// replayed traffic with the log's bad lines named by number. Screenshots: renderer/e2e/screenshots/
// autoscale.png, autoscale-zh.png, trace.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  drawnLines,
  launchChromium,
  repo,
  shots,
  startServe,
  stop,
  loadShipped as loadShippedOn,
  resultSeq as resultSeqOf,
  waitForResultAfter as waitForResultOn,
} from './harness';

let server: ChildProcess;
let home = '';
let profileDir = '';
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const resultSeq = () => resultSeqOf(page);
const waitForResultAfter = (seq: number) =>
  waitForResultOn(page, seq, { timeoutMs: 120_000, charts: true });
const loadProfile = (title: RegExp, wait = true) =>
  loadShippedOn(page, title, { wait, timeoutMs: 120_000, charts: true });

/** Line paths with a real shape in the instances card. */
const instanceLines = () =>
  page.$$eval(
    '.instances-card path.recharts-line-curve',
    (ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 60).length,
  );

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  home = mkdtempSync(path.join(tmpdir(), 'peakline-e2e-scale-'));
  mkdirSync(path.join(home, 'profiles'), { recursive: true });
  // a user's profile that replays this morning's access log (the file is picked in the console)
  writeFileSync(
    path.join(home, 'profiles', 'replay.json'),
    JSON.stringify({
      schema: 'peakline.scenario/v1',
      name: 'Replay: this morning at 3x',
      duration_s: 7,
      workload: { type: 'trace', file: 'orders-access.log', rate_multiplier: 3 },
      server: { concurrency: 8 },
      handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
      stats: { window_s: 0.25 },
    }),
  );
  // and one whose log sits beside it: the Node side reads it when the profile is loaded
  copyFileSync(
    path.join(repo, 'sim-core/fixtures/nginx-msec.log'),
    path.join(home, 'profiles', 'orders-msec.log'),
  );
  writeFileSync(
    path.join(home, 'profiles', 'replay-beside.json'),
    JSON.stringify({
      schema: 'peakline.scenario/v1',
      name: 'Replay: the log beside the profile',
      duration_s: 7,
      workload: { type: 'trace', file: 'orders-msec.log' },
      server: { concurrency: 8 },
      handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
      stats: { window_s: 0.25 },
    }),
  );
  const started = await startServe({ ...process.env, PEAKLINE_HOME: home });
  server = started.proc;
  ({ ctx, profileDir } = await launchChromium());
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(started.url);
  await page.getByRole('combobox', { name: 'Profile' }).waitFor();
});

afterAll(async () => {
  await ctx?.close();
  await stop(server);
  for (const d of [home, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('autoscaling and trace replay in the console', () => {
  it('shows the autoscaler: instances over time, its cost and the SLO windows it missed', async () => {
    await loadProfile(/Sale-day autoscaling/);
    const card = page.locator('.instances-card');
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.getAttribute('aria-label')).toBe('Instances over time (autoscaler)');
    // serving and provisioning drawn as steps (draining may stay at 0 most of the time)
    await expect.poll(() => instanceLines()).toBeGreaterThanOrEqual(2);
    const summary = await page.getByTestId('scale-summary').textContent();
    expect(summary).toMatch(
      /mode reactive · [\d,]+ instance-seconds · mean [\d.]+ instances, peak 16/,
    );
    expect(summary).toMatch(/SLO violated in \d+ of 60 windows \(\d+ s\), from \d+ s/);
    // the violated windows are shaded on the chart
    expect(await card.locator('.recharts-reference-area-rect').count()).toBeGreaterThan(0);
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: path.join(shots, 'autoscale.png') });
    await page.screenshot({ path: path.join(shots, 'autoscale-page.png'), fullPage: true });
  });

  it('says it in 简体中文 too', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    const card = page.locator('.instances-card');
    await expect.poll(() => card.textContent()).toMatch(/实例数随时间变化/);
    await expect.poll(() => page.getByTestId('scale-summary').textContent()).toMatch(/实例·秒/);
    await card.screenshot({ path: path.join(shots, 'autoscale-zh.png') });
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('combobox', { name: 'Profile' }).waitFor();
  });

  it('replays an access log picked in the console, naming its bad lines', async () => {
    await loadProfile(/Replay: this morning/, false);
    // it cannot run without the file: the console asks for it
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toEqual(
        expect.arrayContaining([expect.stringMatching(/choose its file \(orders-access\.log\)/)]),
      );
    const before = await resultSeq();
    await page
      .getByLabel('Read the trace file…')
      .setInputFiles(path.join(repo, 'profiles/traces/orders-access.log'));
    await waitForResultAfter(before);
    const read = await page.locator('.trace-read').textContent();
    expect(read).toMatch(/orders-access\.log: nginx, 520 arrivals/);
    expect(read).toMatch(
      /3 bad lines of 523 skipped: 4 \(no \$msec .*\); 100 \(.*31\/Feb\/2026.*\); 300 \(/,
    );
    // three arrivals for each logged request, all of them served
    await expect
      .poll(() => page.getByRole('status', { name: 'Throughput', exact: true }).textContent())
      .toMatch(/\d/);
    await expect.poll(() => drawnLines(page, '.charts')).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: path.join(shots, 'trace.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('replays a log that sits beside the profile without asking for it', async () => {
    await loadProfile(/Replay: the log beside/);
    await expect
      .poll(() => page.getByText(/orders-msec\.log: nginx, 520 arrivals/).count())
      .toBeGreaterThan(0);
    expect(await page.getByText(/choose its file/).count()).toBe(0);
    // nothing left over from the log picked for the last profile
    expect(await page.locator('.trace-read').count()).toBe(0);
    await expect.poll(() => drawnLines(page, '.charts')).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: path.join(shots, 'trace-beside.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
