// The Live tab in real Chromium against `peakline serve`: an operator connects the console to a
// real redis-server on which `peakline demo` runs a real order pipeline, and to the demo's
// metrics endpoint; both sources come up, the charts move as samples arrive, the password typed
// in the dialog never reaches the page's storage; "Model this" fits the twin and draws its band;
// the Redis goes away (the panel turns red with the reason) and comes back; after a reload the
// saved Redis connection is still watched while the endpoint this page alone had connected goes.
// Screenshots go to renderer/e2e/screenshots/live-*.png (live-zh-CN.png: the same view in
// 简体中文, live-dark.png: in the dark theme).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  removeDir,
  startCluster,
  startRedis,
  type RedisProcess,
} from '../../electron/live/testing';
import { launchChromium, shots, startBin, startServe, stop } from './harness';

const PASSWORD = 'e2e-Live-pw-93b1';

describe('the Live tab in Chromium', () => {
  let redis: RedisProcess;
  let cluster: RedisProcess[] = [];
  let home: string;
  let chromiumDir = '';
  let server: ChildProcess;
  let demo: ChildProcess;
  let url = '';
  let metricsUrl = '';
  let ctx: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    redis = await startRedis(['--requirepass', PASSWORD]);
    home = mkdtempSync(path.join(tmpdir(), 'peakline-live-e2e-'));
    const env = { ...process.env, HOME: home };
    const d = await startBin(
      [
        'demo',
        '--redis',
        `redis://:${PASSWORD}@127.0.0.1:${redis.port}`,
        '--metrics-port',
        '0',
        '--rate',
        '120',
        '--workers',
        '3',
      ],
      /metrics: (http:\/\/\S+)/,
      env,
    );
    demo = d.proc;
    metricsUrl = d.match;
    ({ proc: server, url } = await startServe(env));
    ({ ctx, profileDir: chromiumDir } = await launchChromium());
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.getByRole('tab', { name: 'Live' }).click();
  });

  afterAll(async () => {
    await ctx?.close();
    await Promise.all([stop(demo), stop(server)]);
    await redis?.stop();
    if (redis) removeDir(redis.dir);
    await Promise.all(cluster.map((n) => n.stop()));
    for (const n of cluster) removeDir(n.dir);
    if (home) rmSync(home, { recursive: true, force: true });
    if (chromiumDir) rmSync(chromiumDir, { recursive: true, force: true });
  });

  const badge = (name: string, state: string) =>
    page.getByRole('status', { name: `${name} is ${state}` });
  const redisName = () => `redis://127.0.0.1:${redis.port}`;
  /** The `d` of the line in the chart named `title`. */
  const lineOf = (title: string) =>
    page
      .getByRole('figure', { name: title })
      .first()
      .locator('path.recharts-line-curve')
      .first()
      .getAttribute('d');

  it('connects Redis (with a password) and the metrics endpoint, and both come up', async () => {
    await page.getByLabel('Redis URL').fill(redisName());
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Queue keys').fill('peakline:demo:orders');
    await page.getByLabel('Name (for saving)').fill('e2e redis');
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('radio', { name: 'Metrics endpoint' }).check();
    await page.getByLabel('Metrics URLs (one per line)').fill(metricsUrl);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await badge(redisName(), 'up').waitFor({ timeout: 30_000 });
    await badge(metricsUrl, 'up').waitFor({ timeout: 30_000 });
    // The saved connection kept no password; nothing in the page's storage has it.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).toContain('e2e redis');
    expect(stored).not.toContain(PASSWORD);
    expect(await page.content()).not.toContain(PASSWORD);
    // The web console keeps passwords in memory only: it never offers to remember one.
    expect(await page.getByRole('checkbox', { name: /^Remember password/ }).count()).toBe(0);
  });

  it('moves the charts as samples arrive', async () => {
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('path.recharts-line-curve')].some(
          (p) => (p.getAttribute('d') ?? '').length > 60,
        ),
      undefined,
      { timeout: 30_000 },
    );
    const opsBefore = await lineOf('Operations per second');
    const rateBefore = await lineOf('Request rate');
    await page.waitForFunction(
      ([ops, rate]) => {
        const d = (title: string) =>
          document
            .querySelector(`figure[aria-label="${title}"] path.recharts-line-curve`)
            ?.getAttribute('d') ?? '';
        return d('Operations per second') !== ops && d('Request rate') !== rate;
      },
      [opsBefore, rateBefore],
      { timeout: 30_000 },
    );
    const latest = await page
      .getByRole('figure', { name: 'Request rate' })
      .getByTestId('chart-latest')
      .textContent();
    expect(Number(/req\/s ([\d.]+)/.exec(latest ?? '')?.[1])).toBeGreaterThan(30);
    await page.screenshot({ path: path.join(shots, 'live-watch.png'), fullPage: true });
  });

  it('turns the endpoint panel red when P99 stays above the SLO for the hold time', async () => {
    await page.getByLabel('P99 SLO (ms)').fill('1');
    await page.getByLabel('for (s)').fill('2');
    const panel = page.locator('section.live-panel', {
      has: page.getByRole('heading', { name: metricsUrl }),
    });
    await page.getByText(/^P99 above the SLO of 1 ms for \d+ s$/).waitFor({ timeout: 30_000 });
    expect(await panel.getAttribute('data-breach')).toBe('yes');
    await page.screenshot({ path: path.join(shots, 'live-breach.png'), fullPage: true });
    await page.getByLabel('P99 SLO (ms)').fill('200');
    await page.getByLabel('for (s)').fill('30');
    await expect.poll(() => panel.getAttribute('data-breach')).toBe('no');
  });

  it('holds the charts still while paused and moves on after resume', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    const frozen = await lineOf('Operations per second');
    // Samples keep arriving meanwhile; the paused chart stays put.
    await page.waitForTimeout(2500);
    expect(await lineOf('Operations per second')).toBe(frozen);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction(
      (d) =>
        document
          .querySelector('figure[aria-label="Operations per second"] path.recharts-line-curve')
          ?.getAttribute('d') !== d,
      frozen,
      { timeout: 30_000 },
    );
  });

  it('models the window as a twin and draws its band over the live series', async () => {
    // A few more samples for the fit.
    await page.waitForTimeout(4000);
    await page.getByRole('button', { name: `Model this: ${metricsUrl}` }).click();
    const twin = page.getByRole('status', { name: 'Twin' });
    await twin.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => twin.textContent(), { timeout: 30_000 })
      .toMatch(/3 workers → simulated P99 [\d.]+–[\d.]+ ms/);
    expect(await page.locator('.recharts-reference-area').count()).toBeGreaterThanOrEqual(2);
    // The band was simulated on a Web Worker of its own, beside the scenario's.
    expect(page.workers().length).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: path.join(shots, 'live-twin.png'), fullPage: true });
  });

  it('opens the twin in the scenario editor', async () => {
    await page.getByRole('button', { name: 'Open twin in the scenario editor' }).click();
    await expect
      .poll(() => page.getByRole('tab', { name: 'Scenario' }).getAttribute('aria-selected'))
      .toBe('true');
    await expect.poll(() => page.locator('body').textContent()).toContain(`Twin of ${metricsUrl}`);
    await page.getByRole('tab', { name: 'Live' }).click();
  });

  it('shows the slowlog on demand', async () => {
    await page.getByRole('button', { name: `Slowlog of ${redisName()}` }).click();
    await page
      .getByRole('table', { name: `Slowlog of ${redisName()}` })
      .or(page.getByText(/^Slowlog is empty/))
      .waitFor({ timeout: 15_000 });
  });

  it('records the session and replays it as its own source', async () => {
    await page.getByRole('button', { name: 'Record' }).click();
    await page.getByText(/^Recording to /).waitFor();
    await page.waitForTimeout(2500); // a few samples of each source
    await page.getByRole('button', { name: 'Stop recording' }).click();
    const done = await page.getByText(/^Recorded \d+ samples to /).textContent();
    expect(Number(/Recorded (\d+)/.exec(done ?? '')?.[1])).toBeGreaterThan(2);
    const recording = page.getByLabel('Recording', { exact: true });
    await expect.poll(() => recording.locator('option').count()).toBeGreaterThan(1);
    await recording.selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Replay' }).click();
    await page
      .getByRole('status', {
        name: new RegExp(`^replay:.*${metricsUrl.replace(/[/.]/g, '\\$&')} is up$`),
      })
      .waitFor();
    const replays = page.getByRole('button', { name: /^Disconnect replay:/ });
    for (let n = await replays.count(); n > 0; n--) {
      await replays.first().click();
      await expect.poll(() => replays.count()).toBe(n - 1);
    }
  });

  it('lists every master and replica of a cluster in the node table', async () => {
    // A short node timeout: the failover below happens within seconds.
    cluster = await startCluster(3, 1, 2000);
    const seed = `redis://127.0.0.1:${cluster[0].port}`;
    await page.getByRole('radio', { name: 'Redis' }).check();
    await page.getByLabel('Redis URL').fill(seed);
    await page.getByLabel('Password').fill('');
    await page.getByLabel('Queue keys').fill('');
    await page.getByRole('checkbox', { name: /^Cluster/ }).check();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const table = page.getByRole('table', { name: `Nodes of ${seed}` });
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 30_000 }).toBe(6);
    const text = (await table.textContent()) ?? '';
    expect(text.match(/replica of /g)).toHaveLength(3);
    expect(text).toContain('0-5460');
    await page.screenshot({ path: path.join(shots, 'live-cluster.png'), fullPage: true });
  });

  it('says which replica was promoted when a master is killed, and the node table follows', async () => {
    const seed = `redis://127.0.0.1:${cluster[0].port}`;
    const table = page.getByRole('table', { name: `Nodes of ${seed}` });
    const roleOf = async (address: string) =>
      (await table.locator('tbody tr', { hasText: address }).locator('td').nth(1).textContent()) ??
      '';
    // Kill -9 (by PID) a master that is not the seed.
    let victim: RedisProcess | undefined;
    for (const n of cluster.slice(1))
      if ((await roleOf(`127.0.0.1:${n.port}`)) === 'master') {
        victim = n;
        break;
      }
    expect(victim).toBeDefined();
    const dead = `127.0.0.1:${victim!.port}`;
    await victim!.stop();
    const events = page.getByRole('list', { name: `Events of ${seed}` });
    const promoted = events.getByText(new RegExp(`promoted, ${dead.replace(/\./g, '\\.')} down$`));
    await promoted.waitFor({ timeout: 60_000 });
    const text = (await promoted.textContent()) ?? '';
    const node = /node (\S+) promoted/.exec(text)?.[1] ?? '';
    expect(node).toMatch(/^127\.0\.0\.1:\d+$/);
    // The table follows: the promoted node is a master with slots; the dead one is down.
    await expect.poll(() => roleOf(node)).toBe('master');
    const row = table.locator('tbody tr', { hasText: node });
    expect(await row.locator('td').nth(3).textContent()).toMatch(/^\d+-\d+/);
    await expect
      .poll(() => table.locator('tbody tr', { hasText: dead }).locator('td').nth(2).textContent())
      .toMatch(/^down: /);
    await page.screenshot({ path: path.join(shots, 'live-failover.png'), fullPage: true });
    // The same event in 简体中文.
    await page.getByLabel('Language').selectOption('zh');
    await page
      .getByRole('list', { name: `${seed} 的事件` })
      .getByText(`节点 ${node} 已提升为主节点，${dead} 中断`)
      .waitFor();
    await page.screenshot({ path: path.join(shots, 'live-failover-zh-CN.png'), fullPage: true });
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('button', { name: `Disconnect ${seed}` }).click();
  });

  it('shows the outage with its reason when Redis stops, and recovers when it is back', async () => {
    await redis.stop();
    await badge(redisName(), 'down').waitFor({ timeout: 30_000 });
    const panel = page.getByRole('region', {
      name: new RegExp(`^${redisName().replace(/[/.]/g, '\\$&')}`),
    });
    await expect
      .poll(() => panel.getByRole('alert').first().textContent())
      .toMatch(/Down: .*(ECONNREFUSED|closed|connect)/i);
    await page.screenshot({ path: path.join(shots, 'live-outage.png'), fullPage: true });
    await redis.start();
    await badge(redisName(), 'up').waitFor({ timeout: 60_000 });
    expect(pageErrors).toEqual([]);
  });

  it('reads in 简体中文 when the console language is switched', async () => {
    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('status', { name: `${redisName()} 正常` }).waitFor();
    await page.getByRole('region', { name: '连接数据源' }).getByLabel('Redis 地址').waitFor();
    await page.getByRole('button', { name: '连接', exact: true }).waitFor();
    await page.getByRole('figure', { name: '每秒操作数' }).first().waitFor();
    // A message shown before the switch follows it too.
    await page.getByText(/^正在回放 \d+ 个样本$/).waitFor();
    await page.screenshot({ path: path.join(shots, 'live-zh-CN.png'), fullPage: true });
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('after a reload still watches the saved Redis connection; the unsaved endpoint goes', async () => {
    await page.reload();
    await page.getByRole('tab', { name: 'Live' }).click();
    await badge(redisName(), 'up').waitFor({ timeout: 30_000 });
    // Its history came back with it.
    await page.waitForFunction(
      () =>
        (
          document
            .querySelector('figure[aria-label="Operations per second"] path.recharts-line-curve')
            ?.getAttribute('d') ?? ''
        ).length > 60,
      undefined,
      { timeout: 30_000 },
    );
    // The endpoint belonged to the page before the reload: it stops once that page is gone.
    await expect
      .poll(() => page.getByRole('heading', { name: metricsUrl }).count(), { timeout: 40_000 })
      .toBe(0);
    await badge(redisName(), 'up').waitFor();
    await page.getByLabel('Theme').selectOption('dark');
    await page.screenshot({ path: path.join(shots, 'live-dark.png'), fullPage: true });
    await page.getByLabel('Theme').selectOption('light');
    expect(pageErrors).toEqual([]);
  });
});
