// `peakline plan` as a user runs it: the real bin in a child process. On a pipeline of two
// M/M/c stages, where queueing theory gives every configuration's P99, a 4-dimension grid of
// 1,024 configurations: the plan returns the grid's true cheapest feasible configuration (checked
// against the theory's exhaustive answer) having run at most 15 % of it; the report's parts, CSV,
// prices from the scenario file, bad input named by its flag, and Ctrl+C with the best so far.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmcResponseQuantile } from '../../sim-core/theory';
import { bin, root, runPeakline } from './testing';

const peakline = (...args: string[]) => runPeakline(root, ...args);

let dir: string;
const file = (name: string) => join(dir, name);

// 1,000 requests/s through two stages, each an M/M/c queue with a Poisson input: the handlers
// (server.instances × server.concurrency, split at random: M/M/c per instance), then an async task
// on its DB shard (db.shards × db.shard_concurrency; workers and pool never short, and the
// handlers' output is Poisson by Burke's theorem). P99 is the first stage's response time,
// task_delay_p99 the second's.
const RATE = 1000;
const S1 = 8;
const S2 = 7;
const stages = {
  schema: 'peakline.scenario/v1',
  name: 'Two M/M/c stages',
  seed: 1,
  duration_s: 20,
  warmup_s: 1,
  workload: { type: 'open', rate_rps: RATE },
  gateway: { balancer: 'random' },
  server: { instances: 1, concurrency: 1 },
  handler: [{ cpu: { dist: 'exp', mean_ms: S1 } }, { enqueue: {} }],
  async: {
    queue_capacity: 100000,
    when_full: 'reject',
    workers: 256,
    steps: [{ db: { key: 'user', query: { dist: 'exp', mean_ms: S2 } } }],
  },
  db: { pool_size: 256, acquire_timeout_ms: 0, shards: 1, shard_concurrency: 1 },
};
const COUNTS = [1, 2, 3, 4];
const SERVERS = [1, 2, 3, 4, 5, 6, 7, 8];
const PRICES = {
  'server.instances': 20,
  'server.concurrency': 5,
  'db.shards': 40,
  'db.shard_concurrency': 8,
};
const VARY = [
  '--vary',
  'server.instances=1..4',
  '--vary',
  'server.concurrency=1..8',
  '--vary',
  'db.shards=1..4',
  '--vary',
  'db.shard_concurrency=1..8',
];
const COST = Object.entries(PRICES).flatMap(([k, v]) => ['--cost', `${k}=${v}`]);

/** P99 (ms) of a stage of `count` M/M/c queues with `servers` each, sharing the rate. */
const p99 = (s: number, count: number, servers: number) =>
  mmcResponseQuantile(RATE / 1000 / count, 1 / s, servers, 0.99);

/**
 * A P99 target for a stage that no configuration of the grid comes close to: halfway (geometric)
 * between two of the theory's P99s, each configuration at least `margin` away, and near-critical
 * ones (utilisation ≥ 0.9, which short runs understate) at least twice as far. Returns the target
 * and the smallest ratio.
 */
function target(s: number): { t: number; margin: number } {
  const all = COUNTS.flatMap((n) =>
    SERVERS.map((c) => ({ p: p99(s, n, c), rho: (RATE / 1000) * (s / (n * c)) })),
  );
  const finite = [...new Set(all.map((x) => x.p).filter(Number.isFinite))].sort((a, b) => a - b);
  let best = { t: NaN, margin: 0 };
  for (let i = 1; i < finite.length; i++) {
    const t = Math.sqrt(finite[i] * finite[i - 1]);
    let margin = Infinity;
    for (const x of all) {
      const r = x.p / t;
      if (r < 1) margin = Math.min(margin, 1 / r);
      else margin = Math.min(margin, x.rho >= 0.9 && r < 2 ? 0 : r);
    }
    if (margin > best.margin) best = { t: Number(t.toFixed(2)), margin };
  }
  return best;
}

const T1 = target(S1);
const T2 = target(S2);
const SLO = `p99<=${T1.t},task_delay_p99<=${T2.t}`;

/** The theory's exhaustive answer: every one of the 1,024 configurations, cheapest first. */
function theoryAnswer() {
  let best: { params: Record<string, number>; cost: number } | null = null;
  for (const n of COUNTS)
    for (const c of SERVERS)
      for (const s of COUNTS)
        for (const q of SERVERS) {
          if (p99(S1, n, c) > T1.t || p99(S2, s, q) > T2.t) continue;
          const cost =
            n * PRICES['server.instances'] +
            n * c * PRICES['server.concurrency'] +
            s * PRICES['db.shards'] +
            s * q * PRICES['db.shard_concurrency'];
          if (!best || cost < best.cost)
            best = {
              params: {
                'server.instances': n,
                'server.concurrency': c,
                'db.shards': s,
                'db.shard_concurrency': q,
              },
              cost,
            };
        }
  return best!;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'peakline-plan-'));
  writeFileSync(file('stages.json'), JSON.stringify(stages, null, 2));
  writeFileSync(
    file('priced.json'),
    JSON.stringify(
      {
        ...stages,
        duration_s: 5,
        costs: { currency: 'USD', period: 'month', prices: PRICES },
      },
      null,
      2,
    ),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('peakline plan', () => {
  it('finds the grid’s cheapest feasible configuration (the theory’s) running at most 15 % of 1,024', async () => {
    // no configuration lies within 25 % of either target: confident verdicts can match theory
    expect(T1.margin).toBeGreaterThan(1.25);
    expect(T2.margin).toBeGreaterThan(1.25);
    const r = await peakline('plan', file('stages.json'), ...VARY, '--slo', SLO, ...COST, '--json');
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    const truth = theoryAnswer();
    expect(plan.grid_size).toBe(1024);
    expect(plan.feasible).toBe(true);
    expect(plan.partial).toBe(false);
    expect(plan.best.params).toEqual(truth.params);
    expect(plan.best.cost).toBe(truth.cost);
    expect(plan.evaluated).toBeLessThanOrEqual(0.15 * plan.grid_size);
    // its metrics with intervals, each clause's bound on the right side
    expect(plan.best.ci95.p99.high).toBeLessThanOrEqual(T1.t);
    expect(plan.best.ci95.task_delay_p99.high).toBeLessThanOrEqual(T2.t);
    expect(plan.best.metrics.p99).toBe(plan.best.ci95.p99.mean);
    // the simulated P99s agree with the theory's at the winner
    const w = truth.params;
    const within = (x: number, y: number) => expect(Math.abs(x / y - 1)).toBeLessThan(0.15);
    within(plan.best.metrics.p99, p99(S1, w['server.instances'], w['server.concurrency']));
    within(plan.best.metrics.task_delay_p99, p99(S2, w['db.shards'], w['db.shard_concurrency']));
    // replications: the contract's counts
    expect(plan.replications.initial).toBe(5);
    expect(plan.replications.total).toBeGreaterThanOrEqual(5 * plan.evaluated);
    expect(plan.best.replications).toBeGreaterThanOrEqual(10);
    // each cheaper neighbour misses the clause of the stage it shrank
    expect(plan.neighbours.length).toBeGreaterThan(0);
    for (const nb of plan.neighbours) {
      expect(nb.meets_slo).toBe(false);
      const shrank = Object.keys(nb.params).find((k) => nb.params[k] !== w[k])!;
      const clause = shrank.startsWith('server.') ? 'p99<=' : 'task_delay_p99<=';
      expect(nb.failed.some((f: string) => f.startsWith(clause))).toBe(true);
      expect(nb.saturated).toEqual(expect.any(String));
    }
    // the Pareto front starts at the winner and buys lower P99 with money
    expect(plan.pareto[0].params).toEqual(truth.params);
    for (let i = 1; i < plan.pareto.length; i++) {
      expect(plan.pareto[i].cost).toBeGreaterThan(plan.pareto[i - 1].cost);
      expect(plan.pareto[i].p99).toBeLessThan(plan.pareto[i - 1].p99);
    }
    expect(plan.monotonicity).toEqual([]);
    expect(r.stderr).toMatch(/^plan: \d+ of 1,024 configurations run, \d+ simulations/m);
  });

  it('prints the answer, its cost and how it adds up, with prices and currency from the scenario', async () => {
    const r = await peakline(
      'plan',
      file('priced.json'),
      ...VARY,
      '--slo',
      SLO,
      '--cost',
      'server.instances=21',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `SLO p99<=${T1.t}, task_delay_p99<=${T2.t}, each at 95 % confidence`,
    );
    expect(r.stdout).toMatch(/^Evaluated \d+ configurations \([\d.]+ % of the grid\)/m);
    expect(r.stdout).toMatch(/^Cheapest configuration meeting the SLO: [\d.,]+ USD\/month$/m);
    // --cost wins over the file's price; per-instance handlers are counted once per instance
    expect(r.stdout).toMatch(/^ {4}server\.instances \d × 21 = /m);
    expect(r.stdout).toMatch(
      /^ {4}server\.concurrency \d × \d \(server\.instances\) × 5 = [\d.]+ USD\/month$/m,
    );
    expect(r.stdout).toMatch(/^ {4}db\.shard_concurrency \d × \d \(db\.shards\) × 8 = /m);
    expect(r.stdout).toMatch(/p99 ms +[\d.]+ ± [\d.]+ +SLO p99<=[\d.]+: met/);
    expect(r.stdout).toContain('Cheaper neighbours (one step down in one field)');
    expect(r.stdout).toMatch(/misses (p99|task_delay_p99)<=[\d.]+ \(/);
    expect(r.stdout).toContain('Pareto front of the configurations run: cost → P99');
  });

  it('--csv lists every configuration run, the winner marked', async () => {
    const r = await peakline(
      'plan',
      file('priced.json'),
      '--vary',
      'server.concurrency=4..8',
      '--vary',
      'db.shard_concurrency=7..8',
      '--slo',
      'p99<=200',
      '--csv',
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^server\.concurrency,db\.shard_concurrency,cost,meets_slo,best,replications,p50,p50_ci95,p99,p99_ci95,/,
    );
    expect(lines.slice(1).filter((l) => l.split(',')[4] === 'true')).toHaveLength(1);
  });

  it('names the flag and the value that are wrong', async () => {
    const cases: [string[], string][] = [
      [['--vary', 'server.concurrency=1..4'], 'peakline plan: --slo: give --slo'],
      [
        ['--vary', 'server.concurrency=0..4', '--slo', 'p99<=50'],
        'peakline plan: --vary server.concurrency=0..4: server.concurrency=0 is not a valid scenario: server.concurrency: must be >= 1 (got 0)',
      ],
      [['--vary', 'seed=1..4', '--slo', 'p99<=50'], 'the seed is not a capacity field'],
      [
        ['--vary', 'server.concurrency=1..4', '--slo', 'p98<=50'],
        'peakline plan: --slo: unknown metric "p98"',
      ],
      [
        ['--vary', 'server.concurrency=1..4', '--slo', 'p99<=50', '--cost', 'db.shards=-3'],
        'peakline plan: --cost db.shards=-3: price must be >= 0 (got -3)',
      ],
      [
        ['--vary', 'server.concurrency=1..4', '--slo', 'p99<=50', '--cost', 'db.shardz=3'],
        'cost of db.shardz: the scenario has no number at db.shardz and it is not varied',
      ],
      [
        ['--vary', 'server.concurrency=1..4', '--slo', 'p99<=50', '--confidence', '1.5'],
        'peakline plan: --confidence: must be at least 0.5 and below 1',
      ],
      [
        ['--vary', 'server.concurrency=1..4', '--slo', 'p99<=50', '--replications', '1'],
        'peakline plan: --replications: must be at least 2',
      ],
      [
        ['--vary', 'server.concurrency=1..4', '--slo', 'p99<=50', '--json', '--csv'],
        'peakline plan: --csv: choose --json or --csv, not both',
      ],
    ];
    const runs = await Promise.all(
      cases.map(([args]) => peakline('plan', file('priced.json'), ...args)),
    );
    runs.forEach((r, i) => {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(cases[i][1]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('names the stations there are when a util clause names none of them', async () => {
    const r = await peakline(
      'plan',
      file('priced.json'),
      '--vary',
      'db.shards=1..2',
      '--slo',
      'util:db_pol<=0.8',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'peakline plan: --slo util:db_pol<=0.8: no station "db_pol" (stations: instances, async_queue, workers, db_pool, shard (busiest of shard[0..1]))',
    );
  });

  it('stops on Ctrl+C and prints the best configuration found so far, marked partial', async () => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'plan',
        file('stages.json'),
        ...VARY,
        '--slo',
        SLO,
        '--json',
        '--set',
        'duration_s=120',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // a few configurations in (2 or more: the largest has been run and meets the SLO); the
        // progress line may skip counts, so any count from 2 up will do
        const runs = [...stderr.matchAll(/plan: ([\d,]+) of 1,024 configurations run/g)].map((m) =>
          Number(m[1].replace(/,/g, '')),
        );
        if (runs.some((n) => n >= 2) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stderr).toContain(
      'peakline plan: stopped (Ctrl+C); the answer above is the best found so far',
    );
    const plan = JSON.parse(stdout);
    expect(plan.partial).toBe(true);
    expect(plan.best.meets_slo).toBe(true);
    expect(plan.evaluated).toBeLessThan(plan.grid_size);
  });
});
