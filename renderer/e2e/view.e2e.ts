// Reading a result in real Chromium against `peakline serve`: a planner loads the flash sale and
// sees the diagram drawn from its program (the lock around the stock query, marked as what
// saturates first), the PostgreSQL order profile with its transaction and its machine, the latency
// CDF on a log axis and every time axis with its unit, the station table with a row of numbers for
// every station, a chart exported as PNG under the scenario's name, and the saturation label gone
// while a new run is going. Screenshots go to renderer/e2e/screenshots/view-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import {
  launchChromium,
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
/** Waits for a full (not preview) result after `seq`, and for the charts to draw it. */
async function waitForResultAfter(seq: number) {
  await waitForResultOn(page, seq, { charts: true });
  await page.locator('.pipeline-wrap[data-fresh=true]').waitFor({ timeout: 30_000 });
}

/** Loads the shipped profile whose name starts with `name` and waits until its full result is
 * on screen (the console's first run, of the default scenario, may still be going). */
async function loadShipped(name: string) {
  await loadShippedOn(page, name, { charts: true });
  await page.locator('.pipeline-wrap[data-fresh=true]').waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    (n) =>
      document.querySelector('.runbar progress') === null &&
      document.querySelector('.readout-p99 output')?.getAttribute('data-provisional') === 'false' &&
      (document.querySelector('svg.pipeline')?.getAttribute('aria-label') ?? '').startsWith(
        `Pipeline of “${n}`,
      ),
    name,
    { timeout: 90_000 },
  );
  await page.locator('.charts[data-fresh=true]').waitFor({ timeout: 30_000 });
}

const diagram = () => page.getByRole('figure', { name: 'Pipeline' });

/** The boxes of the diagram as the page lays them out, with what each says. */
const boxes = (fig: Locator) =>
  fig.locator('g[data-kind]').evaluateAll((gs) =>
    gs.map((g) => {
      const r = g.querySelector('rect')!.getBoundingClientRect();
      return {
        kind: g.getAttribute('data-kind')!,
        label: g.getAttribute('aria-label')!,
        x: r.x,
        y: r.y,
        w: r.width,
        h: r.height,
      };
    }),
  );

/** No two boxes of the diagram cover each other on screen, and none is empty. */
async function expectReadableDiagram(fig = diagram()) {
  const bs = await boxes(fig);
  expect(bs.length).toBeGreaterThan(3);
  for (const b of bs) expect(b.w * b.h).toBeGreaterThan(2000);
  for (let i = 0; i < bs.length; i++)
    for (let j = i + 1; j < bs.length; j++) {
      const [a, b] = [bs[i], bs[j]];
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      expect(apart, `${a.label} / ${b.label}`).toBe(true);
    }
  // every box's words are drawn inside it (cut with an ellipsis when long, never spilling)
  const spills = await fig.locator('g[data-kind]').evaluateAll((gs) =>
    gs.flatMap((g) => {
      const box = g.querySelector('rect')!.getBoundingClientRect();
      return [...g.querySelectorAll(':scope > text')]
        .map((t) => ({ t: t.textContent ?? '', r: t.getBoundingClientRect() }))
        .filter(({ r }) => r.left < box.left - 0.5 || r.right > box.right + 0.5)
        .map(({ t }) => t);
    }),
  );
  expect(spills).toEqual([]);
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  home = mkdtempSync(path.join(tmpdir(), 'peakline-e2e-view-'));
  mkdirSync(path.join(home, 'profiles'), { recursive: true });
  const started = await startServe({ ...process.env, PEAKLINE_HOME: home });
  server = started.proc;
  ({ ctx, profileDir } = await launchChromium({ acceptDownloads: true }));
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(started.url);
  await page.getByRole('slider', { name: 'Workers' }).waitFor();
});

afterAll(async () => {
  await ctx?.close();
  await stop(server);
  for (const d of [home, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('reading a result in Chromium', () => {
  it('draws the flash sale from its program: the lock around the stock query saturates first', async () => {
    await loadShipped('Flash sale');
    const lock = diagram().getByRole('img', { name: /^lock\[0\] \(lock\[0\]\).*saturates first$/ });
    await expect.poll(() => lock.count()).toBe(1);
    expect(await page.locator('.saturated-name').textContent()).toBe('Saturates first: lock[0]');
    // the lock's frame holds the pool and the shards; the async lane starts after Enqueue
    expect(await diagram().getByText('holding lock[0]').count()).toBe(1);
    for (const name of [
      /^DB pool \(db_pool\)/,
      /^Shards ×16/,
      /^Enqueue/,
      /^Async queue/,
      /^broker/,
    ])
      expect(await diagram().getByRole('img', { name }).count(), String(name)).toBe(1);
    expect(await diagram().getByText('async tasks').count()).toBe(1);
    // only the lock is marked
    expect(await diagram().locator('g[data-saturated=true]').count()).toBe(1);
    await expectReadableDiagram();
    await diagram().screenshot({ path: path.join(shots, 'view-flash-sale-diagram.png') });
    await page.screenshot({ path: path.join(shots, 'view-flash-sale.png'), fullPage: true });
  });

  it('lists every station in the table with its numbers, the saturating one marked', async () => {
    const table = page.getByRole('table', { name: 'Stations' });
    const rows = table.locator('tbody tr');
    const names = await rows
      .locator('th')
      .evaluateAll((ths) => ths.map((th) => th.querySelector('code')!.textContent));
    expect(names).toEqual([
      'instances',
      'instance[0]',
      'instance[1]',
      'instance[2]',
      'instance[3]',
      'async_queue',
      'workers',
      'db_pool',
      ...Array.from({ length: 16 }, (_, k) => `shard[${k}]`),
      'service:broker',
      'lock[0]',
    ]);
    const headers = await table.locator('thead th').allTextContents();
    expect(headers).toEqual([
      'Station',
      'Servers',
      'Throughput (/s)',
      'Utilisation',
      'Mean queue',
      'Mean wait (ms)',
      'Residence time (ms)',
    ]);
    // every cell a number
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    for (const row of cells) for (const c of row) expect(c).toMatch(/^(< )?[\d,.]+( %)?$/);
    const lockRow = table.getByRole('row', { name: /lock\[0\]/ });
    expect(await lockRow.textContent()).toMatch(/saturates first/);
    // the lock is granted about as often as orders pass it, and a grant is held for ms
    const lockCells = await lockRow.locator('td').allTextContents();
    expect(Number(lockCells[1].replace(/,/g, ''))).toBeGreaterThan(100);
    expect(Number(lockCells[5].replace(/,/g, ''))).toBeGreaterThan(1);
    await page
      .getByRole('region', { name: 'Stations' })
      .screenshot({ path: path.join(shots, 'view-station-table.png') });
  });

  it('shows the latency CDF on a log axis, and every time axis with its unit', async () => {
    const cdf = page.getByRole('figure', { name: 'Latency distribution (CDF)' });
    expect(await cdf.getByText('latency (ms, log scale)').count()).toBe(1);
    expect(await cdf.getByText('share of ok responses').count()).toBe(1);
    // the ticks are 1-2-5 steps or powers of ten, and equal ratios are equal distances
    const ticks = await cdf
      .locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')
      .evaluateAll((ts) =>
        ts.map((t) => {
          const r = t.getBoundingClientRect();
          return { v: Number((t.textContent ?? '').replace(/,/g, '')), x: r.x + r.width / 2 };
        }),
      );
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    const decades = ticks.filter((t) => Number.isInteger(Math.log10(t.v)));
    expect(decades.length).toBeGreaterThanOrEqual(2);
    const perDecade = (decades[1].x - decades[0].x) / Math.log10(decades[1].v / decades[0].v);
    for (const t of ticks)
      expect(
        Math.abs(t.x - decades[0].x - perDecade * Math.log10(t.v / decades[0].v)),
      ).toBeLessThan(3);
    for (const [name, y] of [
      ['Latency percentiles over time', 'latency (ms)'],
      ['Throughput and errors over time', 'per second'],
      ['Queue depth and async backlog', 'requests or tasks'],
    ]) {
      const card = page.getByRole('figure', { name });
      expect(await card.getByText('simulated time (s)').count(), name).toBe(1);
      expect(await card.getByText(y, { exact: true }).count(), name).toBe(1);
    }
    const util = page.getByRole('figure', { name: 'Utilisation per station' });
    expect(await util.getByText('utilisation (%)').count()).toBe(1);
    await cdf.screenshot({ path: path.join(shots, 'view-cdf.png') });
  });

  it('exports a chart as PNG titled with the scenario, named after it', async () => {
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export “Latency distribution (CDF)” as PNG' }).click(),
    ]);
    expect(dl.suggestedFilename()).toBe(
      'Flash-sale-a-10x-spike-for-a-minute-on-hot-items-under-a-lock-Latency-distribution-CDF.png',
    );
    const bytes = readFileSync(await dl.path());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    writeFileSync(path.join(shots, 'view-exported-cdf.png'), bytes);
    // taller than the chart by its heading: the title (two lines at this width) and the units
    const svgHeight = await page
      .getByRole('figure', { name: 'Latency distribution (CDF)' })
      .locator('svg.recharts-surface')
      .evaluate((s) => s.getBoundingClientRect().height);
    const pngHeight = bytes.readUInt32BE(20) / 2; // drawn at 2×
    expect(pngHeight - svgHeight).toBeGreaterThanOrEqual(8 + 2 * 20 + 16);
    // the diagram exports the same way
    const [diag] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export “Pipeline” as PNG' }).click(),
    ]);
    writeFileSync(path.join(shots, 'view-exported-diagram.png'), readFileSync(await diag.path()));
    expect(diag.suggestedFilename()).toMatch(/^Flash-sale-.*-Pipeline\.png$/);
  });

  it('clears the saturation label while a new run is going, and names it again when done', async () => {
    const instances = page.getByRole('slider', { name: 'Instances' });
    await instances.focus();
    const seq = await resultSeq();
    // watch the run bar from the key press on: was the old name ever shown during the run?
    await page.evaluate(() => {
      const w = window as unknown as { __seen: { running: boolean; sat: string | null }[] };
      w.__seen = [];
      const bar = document.querySelector('.runbar')!;
      const look = () =>
        w.__seen.push({
          running: bar.querySelector('progress') !== null,
          sat: bar.querySelector('.saturated-name')?.textContent ?? null,
        });
      new MutationObserver(look).observe(bar, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    await page.keyboard.press('ArrowRight');
    await waitForResultAfter(seq);
    const seen = await page.evaluate(
      () => (window as unknown as { __seen: { running: boolean; sat: string | null }[] }).__seen,
    );
    expect(seen.some((s) => s.running)).toBe(true);
    expect(seen.filter((s) => s.running && s.sat !== null)).toEqual([]);
    await expect
      .poll(() => page.locator('.saturated-name').textContent())
      .toMatch(/^Saturates first: /);
    await page.keyboard.press('ArrowLeft');
    await waitForResultAfter(await resultSeq());
  });

  it('draws the PostgreSQL order profile with its transaction, its row lock, its machine and its commit flush', async () => {
    await loadShipped('PostgreSQL order transaction');
    expect(await diagram().getByText('transaction: one connection, shard by user').count()).toBe(1);
    expect(await diagram().getByText('holding lock[0]').count()).toBe(1);
    const host = diagram().getByRole('img', {
      name: /^Host db \(host:db, flush\): 2 cores · USL · client · group commit, max \d+ %$/,
    });
    expect(await host.count()).toBe(1);
    expect(
      await diagram()
        .getByRole('img', { name: /^lock\[0\].*saturates first$/ })
        .count(),
    ).toBe(1);
    await expectReadableDiagram();
    await diagram().screenshot({ path: path.join(shots, 'view-pg-order-diagram.png') });
    const rows = await page
      .getByRole('table', { name: 'Stations' })
      .locator('tbody th code')
      .allTextContents();
    expect(rows).toEqual(['instances', 'db_pool', 'shard[0]', 'lock[0]', 'host:db', 'flush']);
  });

  it('reads the same in 简体中文 and the dark theme', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    await page.getByRole('combobox', { name: '主题' }).selectOption('dark');
    const zhDiagram = page.getByRole('figure', { name: '链路' });
    await expect
      .poll(() => zhDiagram.getByText('事务：占用一个连接，按用户选分片').count())
      .toBe(1);
    expect(await zhDiagram.getByRole('img', { name: /^主机 db/ }).count()).toBe(1);
    expect(
      await page.getByRole('table', { name: '站点' }).locator('thead th').first().textContent(),
    ).toBe('站点');
    expect(
      await page
        .getByRole('figure', { name: '延迟分布（CDF）' })
        .getByText('延迟（毫秒，对数刻度）')
        .count(),
    ).toBe(1);
    await zhDiagram.screenshot({ path: path.join(shots, 'view-pg-order-diagram-zh-dark.png') });
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await loadShipped('Flash sale');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    await expect.poll(() => zhDiagram.getByText('持有 lock[0]').count()).toBe(1);
    await expectReadableDiagram(zhDiagram);
    await zhDiagram.screenshot({ path: path.join(shots, 'view-flash-sale-diagram-zh-dark.png') });
    await page.screenshot({
      path: path.join(shots, 'view-flash-sale-zh-dark.png'),
      fullPage: true,
    });
    await page.getByRole('combobox', { name: '主题' }).selectOption('light');
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    expect(pageErrors).toEqual([]);
  });
});
