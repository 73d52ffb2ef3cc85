// The Forecast tab in real Chromium against `peakline serve`. A planner loads ten days of a
// realistic food-delivery series (sim-core/forecast/generate.ts, cut just before a meal-time rise)
// as a CSV, forecasts 30 minutes and sees the history, the forecast and its band, the backtest
// figures against seasonal naive, and the default scenario simulated at the forecast rate (P99 and
// utilisation per station), with when the SLO first fails and the capacity that holds it. Then
// the same from a real Prometheus (three days backfilled with promtool, started on a free port
// and stopped by PID): connected in the Live tab, its history read with query_range.
// Screenshots: renderer/e2e/screenshots/forecast-csv.png, forecast-prometheus.png,
// forecast-zh-CN.png, forecast-dark.png, forecast-live-prometheus.png (the Prometheus source in
// the Live tab).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { generateSeries } from '../../sim-core/forecast/generate';
import {
  counterOpenMetrics,
  removeDir,
  startPrometheus,
  type PrometheusProcess,
} from '../../electron/live/testing';
import { launchChromium, shots, startServe, stop } from './harness';

/** A generated series cut where the next half hour rises the most (so the horizon climbs). */
function risingSeries(days: number, seed: number, end?: number) {
  const start = end !== undefined ? end - days * 86400 : undefined;
  const all = generateSeries({ days, seed, sales: 0, ...(start !== undefined ? { start } : {}) });
  const lastDay = all.length - 1440;
  let cut = lastDay;
  let best = -Infinity;
  for (let k = lastDay; k < all.length - 31; k++) {
    const rise = all[k + 30].rate - all[k].rate;
    if (rise > best) {
      best = rise;
      cut = k;
    }
  }
  return all.slice(0, cut + 1);
}

describe('the Forecast tab in Chromium', () => {
  let home: string;
  let chromiumDir = '';
  let server: ChildProcess;
  let url = '';
  let ctx: BrowserContext;
  let page: Page;
  let prom: PrometheusProcess | null = null;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    home = mkdtempSync(path.join(tmpdir(), 'peakline-forecast-e2e-'));
    const env = { ...process.env, HOME: home };
    ({ proc: server, url } = await startServe(env));
    ({ ctx, profileDir: chromiumDir } = await launchChromium());
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.getByRole('tab', { name: 'Forecast' }).click();
  });

  afterAll(async () => {
    await ctx?.close();
    await stop(server);
    await prom?.stop();
    if (prom) removeDir(prom.dir);
    if (home) rmSync(home, { recursive: true, force: true });
    if (chromiumDir) rmSync(chromiumDir, { recursive: true, force: true });
  });

  const run = async () => {
    await page.getByRole('button', { name: 'Forecast and simulate' }).click();
    await page.getByTestId('fc-verdict').waitFor({ timeout: 110_000 });
    await page.getByTestId('fc-capacity').waitFor({ timeout: 110_000 });
  };

  it('forecasts a CSV history, backtests it and simulates the scenario under the forecast', async () => {
    const csv = path.join(home, 'orders.csv');
    const series = risingSeries(10, 7);
    writeFileSync(csv, `t,rate\n${series.map((p) => `${p.t},${p.rate}`).join('\n')}\n`);
    await page.getByLabel('History file').setInputFiles(csv);
    await expect
      .poll(() => page.getByTestId('fc-history').textContent())
      .toMatch(/^1\d,\d{3} points from orders\.csv, /);
    await page.getByLabel('Horizon').selectOption({ label: '30 min' });
    await run();
    // the backtest: ours against seasonal naive, as the CLI reports them
    const acc = (await page.getByTestId('fc-accuracy').textContent()) ?? '';
    const m = /^([\d.]+) % \(seasonal naive ([\d.]+) %\)$/.exec(acc);
    expect(m, acc).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(85);
    expect(Number(m![1])).toBeGreaterThan(Number(m![2]));
    const figures = (await page.getByTestId('fc-figures').textContent()) ?? '';
    expect(figures).toContain('weekly seasonality');
    expect(figures).toMatch(/Peak-time error[\d.]+ min \(seasonal naive [\d.]+ min\)/);
    // the history and the forecast band are drawn
    const chart = page.getByRole('figure', { name: 'Request rate: history and forecast' });
    await expect.poll(() => chart.locator('.recharts-area-area').count()).toBe(1);
    expect(await chart.locator('.recharts-line-curve').count()).toBe(2);
    // the seed scenario (one instance, a pool of 20) cannot take a lunch peak of thousands a
    // second: the SLO fails within the horizon, and the simulation finds what would hold it
    const verdict = (await page.getByTestId('fc-verdict').textContent()) ?? '';
    expect(verdict).toMatch(
      /The SLO \(P99 ≤ 200 ms\) would first fail at \d\d:\d\d UTC, in [\d.]+ min/,
    );
    const cap = (await page.getByTestId('fc-capacity').textContent()) ?? '';
    expect(cap).toMatch(
      /^((db\.pool_size|server\.instances|async\.workers|db\.shards): [\d,]+ → [\d,]+(, )?)+ keeps P99 at [\d.,]+ m?s \(SLO 200 ms\) at [\d,]+ req\/s, the top of the band \(simulated, \d+ runs\)$/,
    );
    const p99 = page.getByRole('figure', { name: 'Simulated P99 under the forecast load' });
    expect(await p99.locator('.recharts-line-curve').count()).toBe(1);
    const util = page.getByRole('figure', {
      name: 'Utilisation per station under the forecast load',
    });
    expect(await util.locator('.recharts-line-curve').count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: path.join(shots, 'forecast-csv.png'), fullPage: true });
    await page.getByLabel('Theme').selectOption('dark');
    await page.screenshot({ path: path.join(shots, 'forecast-dark.png'), fullPage: true });
    await page.getByLabel('Theme').selectOption('light');
    expect(pageErrors).toEqual([]);
  });

  it('says what is wrong with a bad history file, naming the line', async () => {
    const bad = path.join(home, 'bad.csv');
    writeFileSync(bad, 't,rate\n1700000000,12\n1700000060,lots\n');
    await page.getByLabel('History file').setInputFiles(bad);
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toBe('bad.csv: line 3: rate "lots" is not a number');
  });

  it('forecasts from a recording in the recordings folder', async () => {
    // three days of a metrics source's samples, one a minute, in the recording format
    const dir = path.join(home, '.peakline', 'recordings');
    mkdirSync(dir, { recursive: true });
    const series = generateSeries({ days: 3, seed: 9, sales: 0 });
    const lines = [
      JSON.stringify({
        type: 'header',
        schema: 'peakline.live-recording/v1',
        started: series[0].t * 1000,
        sources: [],
      }),
      ...series.map((p) =>
        JSON.stringify({
          type: 'sample',
          t: p.t * 1000,
          id: 'metrics-1',
          kind: 'metrics',
          source: 'http://orders:9464/metrics',
          status: 'up',
          error: null,
          metrics: { request_rate: p.rate },
        }),
      ),
    ];
    writeFileSync(path.join(dir, 'orders-3d.ndjson'), `${lines.join('\n')}\n`);
    await page.getByLabel('Recording', { exact: true }).check();
    await expect
      .poll(() => page.getByLabel('Recording (from Live ▸ Record)').textContent())
      .toContain('orders-3d.ndjson');
    await page.getByLabel('Horizon').selectOption({ label: '15 min' });
    await run();
    await expect
      .poll(() => page.getByTestId('fc-history').textContent())
      .toMatch(/^4,320 points from orders-3d\.ndjson, /);
    expect((await page.getByTestId('fc-figures').textContent()) ?? '').toContain(
      'daily seasonality',
    );
  });

  it('forecasts from a real Prometheus connected in the Live tab', async () => {
    const end = Math.floor(Date.now() / 1000 / 60) * 60;
    const series = generateSeries({ days: 3, seed: 5, sales: 0, start: end - 3 * 86400 });
    prom = await startPrometheus({
      backfill: counterOpenMetrics('peakline_orders', series, 'job="orders"'),
    });
    await page.getByRole('tab', { name: 'Live' }).click();
    await page.getByLabel('Prometheus server', { exact: true }).check();
    await page.getByLabel('Prometheus URL').fill(prom.url);
    await page.getByLabel('Job (empty: every job)').fill('orders');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('status', { name: `${prom.url} is up` }).waitFor({ timeout: 60_000 });
    // the source loaded its last hour from query_range: the Live charts have history at once
    await page.waitForTimeout(1500);
    await page.screenshot({
      path: path.join(shots, 'forecast-live-prometheus.png'),
      fullPage: true,
    });
    await page.getByRole('tab', { name: 'Forecast' }).click();
    await page.getByLabel('Prometheus source', { exact: true }).check();
    await page
      .getByLabel('PromQL of one rate series')
      .fill('sum(rate(peakline_orders_total{job="orders"}[5m]))');
    await page.getByLabel('Horizon').selectOption({ label: '15 min' });
    await run();
    await expect
      .poll(() => page.getByTestId('fc-history').textContent())
      .toMatch(new RegExp(`^4,\\d{3} points from ${prom.url.replace(/[.]/g, '\\.')}: sum\\(rate`));
    const figures = (await page.getByTestId('fc-figures').textContent()) ?? '';
    expect(figures).toContain('daily seasonality');
    expect((await page.getByTestId('fc-accuracy').textContent()) ?? '').toMatch(
      /^[\d.]+ % \(seasonal naive/,
    );
    await page.screenshot({ path: path.join(shots, 'forecast-prometheus.png'), fullPage: true });
    await page.getByLabel('Language').selectOption('zh');
    await page.screenshot({ path: path.join(shots, 'forecast-zh-CN.png'), fullPage: true });
    await page.getByLabel('语言').selectOption('en');
    expect(pageErrors).toEqual([]);
  });
});
