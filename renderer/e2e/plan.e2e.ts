// The capacity plan, the SLO-coloured sweep and the SLO verdicts of Compare, in real Chromium
// against `peakline serve`. A planner loads the async seed, sets the shared SLO set (P99, error
// rate, the async channel must not fill), plans async workers × DB pool × instances with prices,
// watches the progress, reads the answer (its cost and how it adds up, the margins with their
// intervals, the Pareto chart, the cheaper neighbours and why they fail) and opens it in the
// scenario; a small plan is cancelled and keeps its best so far, marked partial; a two-parameter
// sweep is coloured against the SLO with a legend, a cell over the SLO failing; and Compare shows a
// change that fills the async queue as failing. Screenshots: renderer/e2e/screenshots/plan-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import {
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
const waitForResultAfter = (seq: number) => waitForResultOn(page, seq);
async function loadShipped(name: RegExp) {
  await page.getByRole('tab', { name: 'Scenario' }).click();
  await loadShippedOn(page, name);
}

/** Sets the shared SLO set through its editor: one row per clause. */
async function setSlo(clauses: { metric: string; value: string }[]) {
  const editor = page.locator('fieldset.slo-editor').first();
  // remove every clause, then add and fill one row per clause
  while ((await editor.locator('li.slo-clause').count()) > 0)
    await editor.locator('li.slo-clause').first().getByRole('button').click();
  for (let i = 0; i < clauses.length; i++) {
    await editor.getByRole('button', { name: 'Add objective' }).click();
    const row = editor.locator('li.slo-clause').nth(i);
    await row
      .getByRole('combobox', { name: `Metric of objective ${i + 1}` })
      .selectOption(clauses[i].metric);
    await row.locator('input.slo-value').fill(clauses[i].value);
  }
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  home = mkdtempSync(path.join(tmpdir(), 'peakline-e2e-plan-'));
  const started = await startServe({ ...process.env, PEAKLINE_HOME: home });
  server = started.proc;
  ({ ctx, profileDir } = await launchChromium());
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

describe('the Plan view in Chromium', () => {
  it(
    "plans the async seed: the cheapest configuration meeting every SLO (the CLI's answer), its cost, margins, Pareto chart and neighbours; then opens it in the scenario",
    { timeout: 240_000 },
    async () => {
      await loadShipped(/Seed: async/);
      await page.getByRole('tab', { name: 'Plan' }).click();
      await setSlo([
        { metric: 'p99', value: '150' },
        { metric: 'error_rate', value: '0.001' },
        { metric: 'backlog_max', value: '900' },
      ]);
      // fields: async workers 2..16 by 2, DB pool 10..40 by 10, instances 1..2
      const fields = page.locator('fieldset.plan-fields');
      while ((await fields.locator('tbody tr').count()) > 0)
        await fields.locator('tbody tr').first().getByRole('button').click();
      const addField = async (
        path: string,
        from: string,
        to: string,
        step: string,
        price: string,
      ) => {
        await fields.getByRole('button', { name: 'Add field' }).click();
        const n = await fields.locator('tbody tr').count();
        await page.getByRole('combobox', { name: `Field ${n}`, exact: true }).selectOption(path);
        await page.getByRole('spinbutton', { name: `Field ${n} from` }).fill(from);
        await page.getByRole('spinbutton', { name: `Field ${n} to` }).fill(to);
        await page.getByRole('spinbutton', { name: `Field ${n} step` }).fill(step);
        await page.getByRole('spinbutton', { name: `Price per unit of ${path}` }).fill(price);
      };
      await addField('async.workers', '2', '16', '2', '0.05');
      await addField('db.pool_size', '10', '40', '10', '0.02');
      await addField('server.instances', '1', '2', '1', '0.34');
      await expect.poll(() => fields.textContent()).toMatch(/64 configurations in the grid/);
      // the server can run plans on BullMQ workers: the Redis field is offered; left empty, the
      // plan runs on this machine's threads
      expect(await page.getByText('Run on workers').count()).toBe(1);

      await page.getByRole('button', { name: 'Run plan' }).click();
      // progress: configurations run of the grid
      await expect
        .poll(() => page.locator('.plan-progress').textContent(), { timeout: 60_000 })
        .toMatch(/Planning: [1-9]\d* of 64 configurations run/);
      await page.screenshot({ path: path.join(shots, 'plan-progress.png'), fullPage: true });
      const verdict = page.locator('.plan-verdict');
      await verdict.waitFor({ timeout: 110_000 });
      expect(await verdict.textContent()).toMatch(
        /^Cheapest configuration meeting every SLO: [\d.,]+ USD\/hour$/,
      );
      const params = (await page.locator('.plan-params strong').textContent())!;
      expect(params).toMatch(/async\.workers=\d+, db\.pool_size=\d+, server\.instances=\d/);
      // how it was computed: a small share of the grid, with replications
      expect(await page.locator('.plan-how').textContent()).toMatch(
        /Evaluated \d+ of 64 configurations .* replications each with common random numbers/,
      );
      // the cost adds up per instance for the workers and the pool
      expect(await page.locator('.plan-cost').textContent()).toMatch(
        /async\.workers \d+ × \d+ \(server\.instances\) × 0\.05 = /,
      );
      // a margin with its interval for each objective, all met
      const margins = page.getByRole('table', { name: 'Margins against each SLO' });
      for (const clause of ['p99<=150', 'error_rate<=0.001', 'backlog_max<=900'])
        await expect
          .poll(() =>
            margins
              .getByRole('row', { name: new RegExp(clause.replace('.', '\\.')) })
              .textContent(),
          )
          .toMatch(/met$/);
      expect(await margins.textContent()).toMatch(/ms ± [\d.]+ ms/);
      // the Pareto chart is drawn: its front line and dots
      const chart = page.locator('.pareto-chart');
      await chart.waitFor();
      await expect
        .poll(() => chart.locator('.recharts-scatter-symbol, .recharts-symbols').count())
        .toBeGreaterThan(3);
      expect(
        await chart
          .locator('path.recharts-line-curve')
          .evaluateAll((ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 10).length),
      ).toBeGreaterThanOrEqual(1);
      // every cheaper neighbour says why it is not enough
      const neighbours = page.getByRole('table', { name: /Cheaper neighbours/ });
      const rows = neighbours.locator('tbody tr');
      expect(await rows.count()).toBeGreaterThan(0);
      for (const text of await rows.allTextContents())
        expect(text).toMatch(/(p99<=150|error_rate<=0\.001|backlog_max<=900)|meets the SLO/);
      await page.screenshot({ path: path.join(shots, 'plan-answer.png'), fullPage: true });

      // the same answer as `peakline plan` on the command line, with the same fields, SLO, prices
      // and replications (same search, same seeds)
      const cli = spawnSync(
        process.execPath,
        [
          'electron/bin/peakline.mjs',
          'plan',
          'profiles/seed-async-queue.json',
          '--vary',
          'async.workers=2..16:2',
          '--vary',
          'db.pool_size=10..40:10',
          '--vary',
          'server.instances=1..2',
          '--slo',
          'p99<=150,error_rate<=0.001,backlog_max<=900',
          '--cost',
          'async.workers=0.05',
          '--cost',
          'db.pool_size=0.02',
          '--cost',
          'server.instances=0.34',
          '--replications',
          '3',
          '--json',
        ],
        { cwd: repo, encoding: 'utf8', timeout: 110_000 },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const cliReport = JSON.parse(cli.stdout) as {
        best: { params: Record<string, number>; cost: number };
        evaluated: number;
      };
      expect(params).toBe(
        Object.entries(cliReport.best.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      );
      expect(await page.locator('.plan-how').textContent()).toContain(
        `Evaluated ${cliReport.evaluated} of 64`,
      );
      expect(await verdict.textContent()).toContain(`${cliReport.best.cost} USD/hour`);

      // Open in Scenario: the winner's values are in the scenario editor
      const workers = Number(/async\.workers=(\d+)/.exec(params)![1]);
      await page.getByRole('button', { name: 'Open in Scenario' }).click();
      await page.getByRole('slider', { name: 'Workers' }).waitFor();
      expect(Number(await page.getByRole('slider', { name: 'Workers' }).inputValue())).toBe(
        workers,
      );
      expect(pageErrors).toEqual([]);
    },
  );

  it('cancels a plan and keeps the best found so far, marked partial', async () => {
    await page.getByRole('tab', { name: 'Plan' }).click();
    const fields = page.locator('fieldset.plan-fields');
    await page.getByRole('spinbutton', { name: 'Field 1 to' }).fill('64');
    await page.getByRole('spinbutton', { name: 'Field 1 step' }).fill('1');
    await page.getByRole('spinbutton', { name: 'Field 2 to' }).fill('80');
    // a field may take a list of values instead of a range
    await page.getByRole('textbox', { name: 'Field 3 values' }).fill('1,2,4');
    expect(await page.getByRole('spinbutton', { name: 'Field 3 to' }).isDisabled()).toBe(true);
    await expect.poll(() => fields.textContent()).toMatch(/1,512 configurations in the grid/);
    await page.getByRole('button', { name: 'Run plan' }).click();
    await expect
      .poll(() => page.locator('.plan-progress').textContent(), { timeout: 60_000 })
      .toMatch(/Planning: [1-9]\d* of 1,512/);
    await page.locator('.plan').getByRole('button', { name: 'Cancel' }).click();
    const verdict = page.locator('.plan-verdict');
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-partial')).toBe('true');
    expect(await verdict.textContent()).toMatch(/^Partial — stopped before the search finished/);
    await page.screenshot({ path: path.join(shots, 'plan-partial.png'), fullPage: true });
    // in 简体中文 the view and its answer read in Chinese
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    await page.getByRole('tab', { name: '容量规划' }).waitFor();
    expect(await verdict.textContent()).toMatch(/^部分结果/);
    expect(await page.getByRole('button', { name: '开始规划' }).count()).toBe(1);
    await page.screenshot({ path: path.join(shots, 'plan-zh.png'), fullPage: true });
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('tab', { name: 'Plan' }).waitFor();
  });

  it('colours a sweep heatmap against the SLO, with a legend: a cell over the SLO fails', async () => {
    await page.getByRole('tab', { name: 'Sweep' }).click();
    await setSlo([{ metric: 'p99', value: '150' }]);
    await page
      .getByRole('combobox', { name: 'Parameter', exact: true })
      .selectOption('async.workers');
    // an integer field gets integer defaults
    for (const k of ['from', 'to', 'step'])
      expect(
        Number.isInteger(
          Number(
            await page
              .getByRole('spinbutton', { name: `Parameter ${k}`, exact: true })
              .inputValue(),
          ),
        ),
      ).toBe(true);
    await page.getByRole('spinbutton', { name: 'Parameter from', exact: true }).fill('6');
    await page.getByRole('spinbutton', { name: 'Parameter to', exact: true }).fill('12');
    await page.getByRole('spinbutton', { name: 'Parameter step', exact: true }).fill('2');
    await page.getByRole('combobox', { name: 'Second parameter' }).selectOption('db.pool_size');
    await page.getByRole('spinbutton', { name: 'Second parameter from' }).fill('10');
    await page.getByRole('spinbutton', { name: 'Second parameter to' }).fill('30');
    await page.getByRole('spinbutton', { name: 'Second parameter step' }).fill('10');
    await page.getByRole('button', { name: 'Run sweep' }).click();
    const heatmap = page.getByRole('img', { name: 'Sweep heatmap' });
    await heatmap.waitFor({ timeout: 90_000 });
    await expect.poll(() => heatmap.locator('rect.heat-cell').count()).toBe(12);
    const legend = page.getByRole('list', { name: 'Legend' });
    expect(await legend.textContent()).toMatch(/Coloured against the SLO p99<=150/);
    expect(await legend.getByRole('listitem').allTextContents()).toEqual([
      'meets, ≥ 25 % headroom',
      'meets, < 25 % headroom',
      'misses by < 25 %',
      'misses by ≥ 25 %',
      'not simulated',
    ]);
    // cells over the SLO fail, and their hover says by how much, with the P99 interval
    const failing = heatmap.locator('rect.heat-cell[data-meets=false]');
    expect(await failing.count()).toBeGreaterThan(0);
    const title = await failing.first().locator('title').textContent();
    expect(title).toMatch(/P99 [\d,.]+ ± [\d,.]+ ms \(95 % CI\); misses p99<=150 \([\d,.]+, /);
    console.log(`[peakline e2e] a failing heatmap cell on hover: ${title}`);
    const p99 = Number(/P99 ([\d,.]+)/.exec(title!)![1].replace(/,/g, ''));
    expect(p99).toBeGreaterThan(150);
    const passing = heatmap.locator('rect.heat-cell[data-meets=true]');
    for (const t of await passing.locator('title').allTextContents())
      expect(Number(/P99 ([\d,.]+)/.exec(t)![1].replace(/,/g, ''))).toBeLessThanOrEqual(150);
    await page.screenshot({ path: path.join(shots, 'plan-sweep-heatmap.png'), fullPage: true });
    await page.getByRole('combobox', { name: 'Second parameter' }).selectOption('');
  });

  it('shows in Compare a change that fills the async queue as failing, whatever P99 says', async () => {
    await loadShipped(/Seed: async/);
    await page.getByRole('tab', { name: 'Compare' }).click();
    await setSlo([{ metric: 'p99', value: '100000' }]);
    await page.getByRole('button', { name: 'Pin current as A' }).click();
    await page.getByRole('tab', { name: 'Scenario' }).click();
    // seven workers cannot drain 4,000 tasks/s of 1.9 ms each: the channel fills
    const before = await resultSeq();
    const slider = page.getByRole('slider', { name: 'Workers' });
    await slider.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    expect(await slider.inputValue()).toBe('7');
    await waitForResultAfter(before);
    await page.getByRole('tab', { name: 'Compare' }).click();
    const table = page.getByRole('table', { name: 'A/B comparison' });
    const backlog = table.getByRole('row', { name: /Async backlog \(max\)/ });
    expect(await backlog.textContent()).toMatch(/full: [\d,]+ of 1,000/);
    expect(await backlog.locator('td.misses').count()).toBe(1);
    expect(await table.getByRole('row', { name: /Saturating station/ }).textContent()).toMatch(
      /workers|queue/,
    );
    const verdicts = page.getByRole('table', { name: 'Verdict per SLO' });
    // P99 under a huge SLO passes on both, the queue rule fails on B only
    expect(
      await verdicts
        .getByRole('row', { name: /p99<=100000/ })
        .locator('td.meets')
        .count(),
    ).toBe(2);
    const queue = verdicts.getByRole('row', { name: /the async queue must not fill/ });
    expect(await queue.locator('td').nth(0).getAttribute('data-meets')).toBe('true');
    expect(await queue.locator('td').nth(1).getAttribute('data-meets')).toBe('false');
    const overall = page.locator('.compare-verdict');
    expect(await overall.getAttribute('data-meets')).toBe('false');
    expect(await overall.textContent()).toMatch(/^B fails: the async queue must not fill/);
    expect(
      await page.getByRole('list', { name: 'Fields that differ between A and B' }).textContent(),
    ).toMatch(/async\.workers: 10 → 7/);
    await page.screenshot({ path: path.join(shots, 'plan-compare.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
