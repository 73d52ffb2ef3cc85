// `peakline calibrate` as a user runs it: the real bin in a child process on real pgbench and wrk
// output (sim-core/fixtures) and on small CSV files — the table, the JSON, the scenario it writes
// (which validates), --base, --cores and --host, and every bad input as one line with its exit code.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, runPeakline } from './testing';
import { validateScenario } from '../../sim-core/validate';
import { simulate } from '../../sim-core/index';
import { cpuPerRequest } from '../../sim-core/calibrate';
import type { Scenario, ScenarioInput } from '../../sim-core/schema';

const fixture = (name: string) => join(root, 'sim-core/fixtures', name);

/** Runs the bin in the temp folder and collects its output. */
const peakline = (...args: string[]) => runPeakline(dir, ...args);

let dir: string;
const file = (name: string) => join(dir, name);
const readJson = (name: string) => JSON.parse(readFileSync(file(name), 'utf8'));

/** A scenario that runs nothing on a host: calibrate replaces its handler. */
const base = {
  schema: 'peakline.scenario/v1',
  name: 'Order API',
  notes: 'The order API in front of the DB.',
  duration_s: 10,
  workload: { type: 'closed', connections: 50 },
  server: { concurrency: 64 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 1 } }],
};

/** A transaction of two statements whose CPU on the DB host is `a` and `b` ms on average. */
function twoStatements(a: number, b: number) {
  const statement = (ms: number) => ({
    db: { query: { cpu: { dist: 'exp' as const, mean_ms: ms } } },
  });
  return [{ transaction: { steps: [statement(a), statement(b)] } }];
}

/** A base that runs on its DB host: the model is the user's, calibrate fits the host's USL. */
const hosted = {
  schema: 'peakline.scenario/v1',
  name: 'Order transaction from its parts',
  notes: 'A transaction with two statements on a 2-core DB.',
  duration_s: 3,
  workload: { type: 'closed', connections: 8 },
  hosts: { db: { cores: 2 } },
  server: { concurrency: 1000 },
  handler: twoStatements(0.6, 0.5),
  db: { pool_size: 1000, acquire_timeout_ms: 0, shard_concurrency: 1000, host: 'db' },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'peakline-calibrate-'));
  writeFileSync(file('base.json'), JSON.stringify(base, null, 2));
  writeFileSync(file('hosted.json'), JSON.stringify(hosted, null, 2));
  // a 2-core host whose throughput peaks and falls: 900, 1,600 and 1,100 req/s at 1, 4 and 32
  writeFileSync(
    file('parts.csv'),
    'concurrency,throughput_rps,mean_ms,p99_ms\n1,900,1.11,3\n4,1600,2.5,7\n32,1100,29,80\n',
  );
  writeFileSync(
    file('open.csv'),
    'rate_rps,throughput_rps,mean_ms,p99_ms\n100,100,10.5,30\n200,199,12,40\n400,398,16,60\n',
  );
  writeFileSync(file('bad-number.csv'), 'concurrency,throughput_rps,mean_ms\n1,100,10\n2,abc,11\n');
  writeFileSync(file('no-mean.csv'), 'concurrency,throughput_rps\n1,100\n');
  writeFileSync(file('zero.csv'), 'concurrency,throughput_rps,mean_ms\n1,100,10\n2,0,11\n');
  writeFileSync(file('two.csv'), 'concurrency,throughput_rps,mean_ms\n1,100,10\n2,180,11\n');
  writeFileSync(
    file('one-load.csv'),
    'concurrency,throughput_rps,mean_ms\n4,300,13\n4,310,12.9\n4,305,13.1\n',
  );
  writeFileSync(file('notes.txt'), 'my notes\n');
  // the base of the --fit-demand story: hosted's structure at half the real times
  writeFileSync(
    file('hosted-conns.json'),
    JSON.stringify({
      ...hosted,
      hosts: { db: { cores: 2, usl: { sigma: 0, kappa: 0, n: 'connections' } } },
      db: { ...hosted.db, rtt_ms: 0.2 },
    }),
  );
  /** Writes `name`: what `truth` does at 1, 4 and 32 clients, with its P99 or the CPU a request used. */
  const measuredCsv = (
    name: string,
    truth: (clients: number) => ReturnType<typeof simulate>,
    last: 'p99_ms' | 'cpu_ms',
  ) => {
    const row = (n: number) => {
      const r = truth(n);
      return `${n},${r.throughput_rps},${r.latency_ms.mean},${last === 'p99_ms' ? r.latency_ms.p99 : cpuPerRequest(r)}`;
    };
    writeFileSync(
      file(name),
      `concurrency,throughput_rps,mean_ms,${last}\n${[1, 4, 32].map(row).join('\n')}\n`,
    );
  };
  measuredCsv('slower.csv', slowerTruth, 'p99_ms');
  // the same measurements with the CPU a request used, and a base that puts most of a request's
  // time in the round trips (0.3 + 0.25 ms of CPU, 1.2 ms a round trip): the wrong split
  measuredCsv('slower-cpu.csv', slowerTruth, 'cpu_ms');
  writeFileSync(
    file('waits-heavy.json'),
    JSON.stringify({
      ...hosted,
      hosts: { db: { cores: 2, usl: { sigma: 0, kappa: 0, n: 'connections' } } },
      handler: twoStatements(0.3, 0.25),
      db: { ...hosted.db, rtt_ms: 1.2 },
    }),
  );
  // a machine whose 2 cores together do 1.3× one, measured with the CPU a request used
  measuredCsv('shared-cores.csv', sharedCoresTruth, 'cpu_ms');
  // a machine that runs cold when idle, measured with the CPU a request used
  measuredCsv('cold.csv', coldTruth, 'cpu_ms');
  // a system behind a pool of 4 connections, simulated: measured at 1, 4 and 32 clients
  measuredCsv('pooled.csv', pooledTruth, 'p99_ms');
});

/** A "real" system: the scenario validated and simulated once, without its series. */
function simulated(truth: ScenarioInput) {
  const v = validateScenario(truth);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return simulate(v.scenario, { series: false });
}

/** The "real" system of the --pool story: a DB whose CPU contends, behind a pool of 4. */
function pooledTruth(clients: number) {
  const truth: ScenarioInput = {
    schema: 'peakline.scenario/v1',
    name: 'behind a pool of 4',
    seed: 11,
    duration_s: 6,
    warmup_s: 1,
    workload: { type: 'closed', connections: clients },
    hosts: { db: { cores: 4096, usl: { sigma: 0.1, kappa: 0.002 } } },
    server: { concurrency: 1000, backlog: 1000 },
    handler: [{ db: { query: { cpu: { dist: 'lognormal', mean_ms: 1, p99_ms: 2.5 } } } }],
    db: { pool_size: 4, acquire_timeout_ms: 0, shard_concurrency: 1000, host: 'db' },
  };
  return simulated(truth);
}

/**
 * The "real" system of the --fit-demand story: the structure of `hosted` with every statement
 * taking twice as long, a round trip per statement, and contention that grows with the
 * connections open on the DB.
 */
function slowerTruth(clients: number) {
  const truth: ScenarioInput = {
    ...(hosted as ScenarioInput),
    seed: 5,
    duration_s: 6,
    warmup_s: 1,
    workload: { type: 'closed', connections: clients },
    hosts: { db: { cores: 2, usl: { sigma: 0.05, kappa: 0.001, n: 'connections' } } },
    handler: twoStatements(1.2, 1),
    db: { ...(hosted.db as NonNullable<ScenarioInput['db']>), rtt_ms: 0.4 },
  };
  return simulated(truth);
}

/** `hosted`'s structure with a 0.2 ms round trip at `clients`, on a 2-core host with `host` added. */
function hostedTruth(
  clients: number,
  seed: number,
  host: { core_speedup?: number; cold_start_ms?: number },
) {
  const truth: ScenarioInput = {
    ...(hosted as ScenarioInput),
    seed,
    duration_s: 6,
    warmup_s: 1,
    workload: { type: 'closed', connections: clients },
    hosts: { db: { cores: 2, ...host, usl: { sigma: 0.01, kappa: 0, n: 'connections' } } },
    db: { ...(hosted.db as NonNullable<ScenarioInput['db']>), rtt_ms: 0.2 },
  };
  return simulated(truth);
}

/**
 * The "real" system of the --fit-speedup story: on 2 cores that together do only 1.3× the work of
 * one (hyper-threads, a busy virtual machine's vCPUs).
 */
const sharedCoresTruth = (clients: number) => hostedTruth(clients, 7, { core_speedup: 1.3 });

/**
 * The "real" system of the --fit-cold story: on 2 cores that spend 0.3 ms more on a stint that
 * starts on the idle machine (a lone client's every one).
 */
const coldTruth = (clients: number) => hostedTruth(clients, 9, { cold_start_ms: 0.3 });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The written scenario run at `clients` gives the truth's throughput and mean within 10 %. */
function expectPredicts(
  written: Scenario,
  clients: number,
  truth: { throughput_rps: number; latency_ms: { mean: number } },
) {
  const predicted = simulate(
    {
      ...written,
      workload: { type: 'closed', connections: clients, think_ms: 0, timeout_ms: 0 },
    },
    { series: false },
  );
  expect(Math.abs(predicted.throughput_rps / truth.throughput_rps - 1)).toBeLessThan(0.1);
  expect(Math.abs(predicted.latency_ms.mean / truth.latency_ms.mean - 1)).toBeLessThan(0.1);
}

const noStack = (text: string) => {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain('.ts:');
};

describe('calibrate on real pgbench output', () => {
  it('prints the format, the fit, one row per point, and writes calibrated.json by default', async () => {
    const r = await peakline('calibrate', '--points', fixture('pgbench-tpcb-runs.txt'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      'Calibrated from pgbench-tpcb-runs.txt — pgbench-summary, 6 points (Universal Scalability Law)',
    );
    expect(r.stdout).toMatch(
      /^Fit {10}X\(1\) [\d,]+\.\d req\/s {3}demand 0\.\d{3} ms {3}no core limit$/m,
    );
    expect(r.stdout).toMatch(/^ {13}σ [\d.e-]+ \(contention\) {3}κ [\d.e-]+ \(coherency\)$/m);
    expect(r.stdout).toMatch(/^Peak {9}N\* \d+\.\d → [\d,]+\.\d req\/s$/m);
    expect(r.stdout).toMatch(/^R² {11}0\.\d{4} \(throughput\)$/m);
    expect(r.stdout).toMatch(
      /^Demand {7}lognormal mean 0\.\d{3} ms, p99 [\d.]+ ms of CPU — shape from /m,
    );
    expect(r.stdout).toMatch(
      /^load\s+measured X\/s\s+fitted X\/s\s+resid %\s+measured mean ms\s+fitted mean ms\s+error %\s+point$/m,
    );
    const rows = lines.filter((l) => /^N=\d+ /.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([
      'N=1',
      'N=2',
      'N=4',
      'N=8',
      'N=16',
      'N=32',
    ]);
    // The measured column is the file's tps, the point column its line.
    expect(rows[0]).toMatch(
      /^N=1\s+1,023\.2\s+[\d,.]+\s+[+−][\d.]+\s+0\.977\s+[\d.]+\s+[+−][\d.]+\s+line 10$/,
    );
    expect(lines.at(-2)).toBe(
      'Wrote calibrated.json — predict another load: npx peakline run calibrated.json --set workload.connections=N',
    );

    const s = readJson('calibrated.json');
    expect(validateScenario(s).ok).toBe(true);
    expect(s.name).toBe('Calibrated from pgbench-tpcb-runs.txt');
    expect(s.workload).toEqual({ type: 'closed', connections: 32 });
    expect(s.hosts.db.cores).toBe(4096);
    expect(s.db.host).toBe('db');
    expect(s.handler[0].db.query.cpu.dist).toBe('lognormal');
    expect(s.notes).toMatch(
      /^Calibrated by peakline calibrate from 6 measured points of pgbench-tpcb-runs\.txt \(pgbench-summary\)/,
    );
    const v = await peakline('validate', 'calibrated.json');
    expect(v.stdout).toBe('calibrated.json: ok (Calibrated from pgbench-tpcb-runs.txt)\n');
  });

  it('--json prints format, points, the fit and out; the file holds the same σ and κ', async () => {
    const r = await peakline(
      'calibrate',
      '--points',
      fixture('pgbench-tpcb-runs.txt'),
      '--cores',
      '2',
      '--out',
      'c2.json',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['format', 'points', 'fit', 'out']);
    expect(j.format).toBe('pgbench-summary');
    expect(j.out).toBe('c2.json');
    expect(j.points).toHaveLength(6);
    expect(j.points[0]).toMatchObject({
      concurrency: 1,
      throughput_rps: 1023.227847,
      mean_ms: 0.977,
    });
    expect(Object.keys(j.fit)).toEqual(
      expect.arrayContaining([
        'x1_rps',
        'demand_ms',
        'sigma',
        'kappa',
        'cores',
        'peak_concurrency',
        'peak_throughput_rps',
        'r2',
        'points',
      ]),
    );
    expect(j.fit.cores).toBe(2);
    expect(j.fit.demand_ms).toBeCloseTo(1000 / j.fit.x1_rps, 9);
    expect(j.fit.sigma).toBeGreaterThanOrEqual(0);
    expect(j.fit.kappa).toBeGreaterThanOrEqual(0);
    expect(j.fit.peak_concurrency).toBeLessThanOrEqual(2);
    expect(j.fit.r2).toBeGreaterThan(0.9);
    expect(Object.keys(j.fit.points[0]).sort()).toEqual(
      [
        'concurrency',
        'fitted_mean_ms',
        'fitted_rps',
        'mean_error',
        'measured_mean_ms',
        'measured_rps',
        'residual',
        'source',
      ].sort(),
    );
    const s = readJson('c2.json');
    expect(s.hosts.db.cores).toBe(2);
    expect(s.hosts.db.usl.kappa).toBeCloseTo(j.fit.kappa, 6);
    expect(s.hosts.db.usl.sigma).toBeCloseTo(j.fit.sigma, 6);
  });
});

describe('several files, other formats, --host', () => {
  it('takes one point per pgbench log given with --points or after it, in load order', async () => {
    const r = await peakline(
      'calibrate',
      '--points',
      fixture('pgbench-log-c8.log'),
      '--points',
      fixture('pgbench-log-c1.log'),
      fixture('pgbench-log-c2.log'),
      fixture('pgbench-log-c4.log'),
      '--host',
      'pg',
      '--out',
      'logs.json',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/— pgbench-log, 4 points/);
    const rows = r.stdout.split('\n').filter((l) => /^N=\d+ /.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['N=1', 'N=2', 'N=4', 'N=8']);
    expect(rows[0]).toMatch(/pgbench-log-c1\.log: lines 1–400 \(400 transactions\)$/);
    const s = readJson('logs.json');
    expect(validateScenario(s).ok).toBe(true);
    expect(Object.keys(s.hosts)).toEqual(['pg']);
    expect(s.db.host).toBe('pg');
    expect(s.workload).toEqual({ type: 'closed', connections: 8 });
  });

  it('open points give an open workload at the largest rate', async () => {
    const r = await peakline('calibrate', '--points', 'open.csv', '--out', 'open.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^400\.0\/s → N=6\.37\s/m);
    expect(r.stdout).toContain('--set workload.rate_rps=R');
    const s = readJson('open.json');
    expect(s.workload).toEqual({ type: 'open', rate_rps: 400, arrivals: 'poisson' });
    // The highest load's P99/mean (60/16) shapes the CPU demand; the lowest load's tail (30 ms
    // at 10.5) is within what that shape explains, so there are no stalls.
    expect(s.handler[0].db.query.cpu.p99_ms / s.handler[0].db.query.cpu.mean_ms).toBeCloseTo(
      60 / 16,
      4,
    );
    expect(s.handler[0].db.query.wait).toEqual({ dist: 'const', ms: 0 });
  });

  it('--base that runs on the host: its model is kept and the host’s σ, κ are fitted by simulating it', async () => {
    const r = await peakline(
      'calibrate',
      '--points',
      'parts.csv',
      '--base',
      'hosted.json',
      '--out',
      'parts.json',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Calibrated from parts\.csv — csv, 3 points \(simulating hosted\.json at each load\)$/m,
    );
    expect(r.stdout).toMatch(
      /^Fit {10}σ [\d.e-]+ \(contention\) {3}κ [\d.e-]+ \(coherency\) {3}on host "db", 2 cores$/m,
    );
    expect(r.stdout).toMatch(/^N=32 +1,100\.0 +[\d,.]+ +[+−][\d.]+ +29\.0 /m);
    expect(r.stdout).toContain(
      'hosted.json runs on host "db": its model is kept; the host gets the fitted σ and κ.',
    );
    const s = readJson('parts.json');
    expect(validateScenario(s).ok).toBe(true);
    expect(s.handler).toEqual(hosted.handler);
    expect(s.hosts.db.cores).toBe(2);
    expect(s.hosts.db.usl.kappa).toBeGreaterThan(0); // the fall past the peak needs coherency
    expect(s.notes).toMatch(
      /^A transaction with two statements on a 2-core DB\.\n\nCalibrated by peakline calibrate \(simulating this scenario\) at 3 measured loads of parts\.csv/,
    );
  });

  it('--base keeps the base and puts the calibrated query on the host', async () => {
    const r = await peakline(
      'calibrate',
      '--points',
      fixture('wrk-latency-c1.txt'),
      '--points',
      fixture('wrk-latency-c4.txt'),
      '--points',
      fixture('wrk-latency-c16.txt'),
      '--base',
      'base.json',
      '--out',
      'based.json',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('base.json: its handler is now the calibrated query on host "db".');
    const s = readJson('based.json');
    expect(validateScenario(s).ok).toBe(true);
    expect(s.name).toBe('Order API');
    expect(s.workload).toEqual(base.workload);
    expect(s.server).toEqual(base.server);
    expect(Object.keys(s.handler[0])).toEqual(['db']);
    expect(s.db.host).toBe('db');
    expect(s.notes).toMatch(
      /^The order API in front of the DB\.\n\nCalibrated by peakline calibrate/,
    );
  });
});

/** `peakline calibrate --points POINTS --base BASE --fit-demand --out OUT`, and more options. */
const fitDemand = (points: string, base: string, out: string, ...more: string[]) =>
  peakline('calibrate', '--points', points, '--base', base, '--fit-demand', '--out', out, ...more);

describe('--fit-demand: the base gives the structure, the lowest load the time', () => {
  it('scales every step and the round trip to the lowest load, then fits σ and κ; predicts a load it was not given', async () => {
    const r = await fitDemand('slower.csv', 'hosted-conns.json', 'slower.json', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // the real statements take twice the base's
    expect(out.fit.demand_scale).toBeGreaterThan(1.9);
    expect(out.fit.demand_scale).toBeLessThan(2.1);
    const s = readJson('slower.json');
    const v = validateScenario(s);
    expect(v.ok).toBe(true);
    const q = s.handler[0].transaction.steps[0].db.query.cpu.mean_ms;
    expect(q / 0.6).toBeCloseTo(out.fit.demand_scale, 3);
    expect(s.db.rtt_ms / 0.2).toBeCloseTo(out.fit.demand_scale, 3);
    // what the contention counts is the base's, kept
    expect(s.hosts.db.usl.n).toBe('connections');
    expect(s.notes).toMatch(
      /× the base's \(--fit-demand: simulated without contention they give the mean latency of [\d.]+ ms measured at /,
    );
    // held out: 12 clients
    expectPredicts(v.ok ? v.scenario : s, 12, slowerTruth(12));
  });

  it('the table says how much the demand was scaled', async () => {
    const r = await fitDemand('slower.csv', 'hosted-conns.json', 'slower-text.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Demand {7}[\d.]+× the base's step times \(--fit-demand: mean [\d.]+ ms simulated against [\d.]+ measured at /m,
    );
  });

  it('with the CPU measured (cpu_ms) it sets the CPU from it and the waits from the latency: a wrong split is put right', async () => {
    const r = await fitDemand('slower-cpu.csv', 'waits-heavy.json', 'split.json', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // 2.2 ms of CPU a request against the base's 0.55: four times; the round trips shrink
    expect(out.fit.cpu_scale).toBeGreaterThan(3.8);
    expect(out.fit.cpu_scale).toBeLessThan(4.2);
    expect(out.fit.cpu_source).toBe('row 2');
    const s = readJson('split.json');
    const v = validateScenario(s);
    expect(v.ok).toBe(true);
    const q = s.handler[0].transaction.steps[0].db.query.cpu.mean_ms;
    expect(Math.abs(q / 1.2 - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.db.rtt_ms / 0.4 - 1)).toBeLessThan(0.15);
    expect(s.notes).toMatch(
      /the CPU \(cpu steps and parts, the load generator's\) is [\d.]+× the base's: [\d.]+ ms a request, the least measured \(cpu_ms at row 2\)/,
    );
    // held out: 12 clients, where the two cores decide
    expectPredicts(v.ok ? v.scenario : s, 12, slowerTruth(12));
    // the same base without the CPU: one factor, and the cores seem to have room they have not
    // (the contention fitted at 32 clients takes up part of it, not all)
    const one = await fitDemand('slower.csv', 'waits-heavy.json', 'one-factor.json', '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).fit.cpu_scale).toBeUndefined();
    const w = validateScenario(readJson('one-factor.json'));
    const predicted = simulate(
      {
        ...(w.ok ? w.scenario : (null as never)),
        workload: { type: 'closed', connections: 12, think_ms: 0, timeout_ms: 0 },
      },
      { series: false },
    );
    expect(predicted.throughput_rps / slowerTruth(12).throughput_rps).toBeGreaterThan(1.12);
  });

  it('the table says where the CPU came from', async () => {
    const r = await fitDemand('slower-cpu.csv', 'waits-heavy.json', 'split-text.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Demand {7}CPU [\d.]+× the base's \([\d.]+ ms a request simulated against [\d.]+ measured at row 2, the least\), waits [\d.]+× \(--fit-demand: mean [\d.]+ ms simulated against [\d.]+ measured at row 2\)$/m,
    );
  });

  it('without a base that runs on the host it is a usage error naming the option', async () => {
    const [a, b] = await Promise.all([
      peakline('calibrate', '--points', 'parts.csv', '--fit-demand'),
      peakline('calibrate', '--points', 'parts.csv', '--base', 'base.json', '--fit-demand'),
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      'peakline calibrate: --fit-demand scales the demand of a --base that runs on host "db" (see peakline help)\n',
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      'peakline calibrate: --fit-demand scales the demand of a --base that runs on host "db"; nothing in base.json does (set db.host, server.host or a service\'s host) (see peakline help)\n',
    );
  });
});

describe('--fit-speedup: cores that slow each other', () => {
  it('fits core_speedup with σ and κ, writes it to the host and predicts a load it was not given', async () => {
    const r = await fitDemand(
      'shared-cores.csv',
      'hosted-conns.json',
      'shared.json',
      '--fit-speedup',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.fit.core_speedup).toBeGreaterThan(1.1);
    expect(out.fit.core_speedup).toBeLessThan(1.5);
    const s = readJson('shared.json');
    expect(s.hosts.db.core_speedup).toBeCloseTo(out.fit.core_speedup, 3);
    expect(s.notes).toMatch(
      /core_speedup [\d.]+ \(--fit-speedup: its 2 cores together do that many times the work of one\)/,
    );
    const v = validateScenario(s);
    expect(v.ok).toBe(true);
    // held out: 2 and 12 clients
    expectPredicts(v.ok ? v.scenario : s, 2, sharedCoresTruth(2));
    expectPredicts(v.ok ? v.scenario : s, 12, sharedCoresTruth(12));
  });

  it('the fit line says how much the cores do together', async () => {
    const r = await fitDemand(
      'shared-cores.csv',
      'hosted-conns.json',
      'shared-text.json',
      '--fit-speedup',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Fit {10}σ [\d.]+ \(contention\) {3}κ [\d.e-]+ \(coherency\) {3}on host "db", 2 cores {3}core_speedup [\d.]+ \(all 2 cores together do that many times one's work\)$/m,
    );
  });

  it('without a base that runs on the host it is a usage error naming the option', async () => {
    const r = await peakline('calibrate', '--points', 'parts.csv', '--fit-speedup');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'peakline calibrate: --fit-speedup fits the core_speedup of host "db" by simulating a --base that runs on it (see peakline help)\n',
    );
  });
});

describe('--fit-cold: a machine that runs cold when idle', () => {
  it("puts the lowest load's extra CPU into the host's cold starts and predicts loads it was not given", async () => {
    const r = await fitDemand('cold.csv', 'hosted-conns.json', 'cold.json', '--fit-cold', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.fit.cold_start_ms).toBeGreaterThan(0.2);
    expect(out.fit.cold_start_ms).toBeLessThan(0.4);
    expect(out.fit.cold_source).toBe('row 2');
    const s = readJson('cold.json');
    expect(s.hosts.db.cold_start_ms).toBe(out.fit.cold_start_ms);
    expect(s.notes).toMatch(
      /a stint that starts on host "db" idle spends [\d.]+ ms more \(cold_start_ms, --fit-cold/,
    );
    const v = validateScenario(s);
    expect(v.ok).toBe(true);
    // held out: 2 and 12 clients
    expectPredicts(v.ok ? v.scenario : s, 2, coldTruth(2));
    expectPredicts(v.ok ? v.scenario : s, 12, coldTruth(12));
  });

  it('says what it fitted in a line of its own', async () => {
    const r = await fitDemand('cold.csv', 'hosted-conns.json', 'cold-text.json', '--fit-cold');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Cold starts {2}[\d.]+ ms more CPU a stint that starts on idle host "db" \(--fit-cold: [\d.]+ ms a request simulated against [\d.]+ measured at row 2\)$/m,
    );
  });

  it('without --fit-demand it is a usage error naming both options', async () => {
    const r = await peakline(
      'calibrate',
      '--points',
      'cold.csv',
      '--base',
      'hosted-conns.json',
      '--fit-cold',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'peakline calibrate: --fit-cold fits host "db"\'s cold starts with the demand; give --fit-demand too (see peakline help)\n',
    );
  });

  it('without the CPU at the lowest load it says which file and point lack it', async () => {
    const r = await fitDemand('slower.csv', 'hosted-conns.json', 'cold-none.json', '--fit-cold');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /slower\.csv: --fit-cold needs the CPU a request used at the lowest load \(a cpu_ms at row 2\)/,
    );
  });
});

describe('--pool: clients behind a pool of connections', () => {
  it('models the pool, fits σ and κ by simulation, and predicts a load it was not given', async () => {
    const r = await peakline(
      'calibrate',
      '--points',
      'pooled.csv',
      '--pool',
      '4',
      '--out',
      'pooled.json',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Calibrated from pooled\.csv — csv, 3 points \(simulating the calibrated query behind a pool of 4 at each load\)$/m,
    );
    expect(r.stdout).toContain(
      'The clients share 4 connections (--pool): the host sees at most that many at once; its σ and κ are fitted by simulating this.',
    );
    const s = readJson('pooled.json');
    const v = validateScenario(s);
    expect(v.ok).toBe(true);
    expect(s.db.pool_size).toBe(4);
    expect(s.notes).toMatch(/^The measured system behind a pool of 4 connections/);
    // held out: 16 clients (the pool is full, throughput flat) and 2 (below the pool)
    for (const n of [2, 16]) expectPredicts(v.ok ? v.scenario : s, n, pooledTruth(n));
  });

  it('--pool with --base, or a pool of 0, is a usage error naming the option', async () => {
    const [a, b] = await Promise.all([
      peakline('calibrate', '--points', 'parts.csv', '--base', 'hosted.json', '--pool', '8'),
      peakline('calibrate', '--points', 'parts.csv', '--pool', '0'),
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      'peakline calibrate: --pool: hosted.json is the model; set its db.pool_size instead of giving --pool (see peakline help)\n',
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      'peakline calibrate: --pool: must be a whole number >= 1 (see peakline help)\n',
    );
  });
});

describe('bad input', () => {
  it('names the file, the row and what is wrong, exit code 1', async () => {
    const [a, b, c] = await Promise.all([
      peakline('calibrate', '--points', 'bad-number.csv'),
      peakline('calibrate', '--points', 'no-mean.csv'),
      peakline('calibrate', '--points', 'zero.csv'),
    ]);
    expect([a.code, b.code, c.code]).toEqual([1, 1, 1]);
    expect(a.stderr).toBe('bad-number.csv: row 3: throughput_rps is not a number: "abc"\n');
    expect(b.stderr).toBe(
      'no-mean.csv: row 1: missing column "mean_ms" in the header (has: concurrency, throughput_rps; needs concurrency or rate_rps, throughput_rps, mean_ms)\n',
    );
    expect(c.stderr).toBe('zero.csv: row 3: throughput_rps must be > 0 (got 0)\n');
    for (const x of [a, b, c]) {
      expect(x.stdout).toBe('');
      noStack(x.stderr);
    }
  });

  it('names the line of a cut pgbench run', async () => {
    const text = readFileSync(fixture('pgbench-tpcb-runs.txt'), 'utf8');
    writeFileSync(file('cut.txt'), text.slice(0, text.lastIndexOf('latency average')));
    const r = await peakline('calibrate', '--points', 'cut.txt');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'cut.txt: line 105: run 6 (from this line) has no "tps = …" line (did it fail or stop early?)\n',
    );
  });

  it('refuses too few points and a single load, naming the file', async () => {
    const [a, b] = await Promise.all([
      peakline('calibrate', '--points', 'two.csv'),
      peakline('calibrate', '--points', 'one-load.csv'),
    ]);
    expect(a.code).toBe(1);
    expect(a.stderr).toBe('two.csv: needs at least 3 load points to fit X(1), σ and κ (got 2)\n');
    expect(b.code).toBe(1);
    expect(b.stderr).toBe(
      'one-load.csv: needs points at 2 or more different loads (all 3 are at N = 4)\n',
    );
  });

  it('will not overwrite a file that is not a scenario, and leaves no temporary file', async () => {
    const r = await peakline('calibrate', '--points', 'open.csv', '--out', 'notes.txt');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'notes.txt: exists and is not a peakline scenario; not overwriting it (choose another --out)\n',
    );
    expect(readFileSync(file('notes.txt'), 'utf8')).toBe('my notes\n');
    // An existing scenario is replaced.
    const again = await peakline('calibrate', '--points', 'open.csv', '--out', 'open.json');
    expect(again.code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an invalid --base is reported as validate reports it', async () => {
    writeFileSync(file('bad-base.json'), JSON.stringify({ ...base, server: { concurrency: 0 } }));
    const r = await peakline('calibrate', '--points', 'open.csv', '--base', 'bad-base.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('bad-base.json: server.concurrency: must be >= 1 (got 0)\n');
  });

  it('a bad command line is exit code 2', async () => {
    const [a, b, c, d] = await Promise.all([
      peakline('calibrate'),
      peakline('calibrate', '--points', 'open.csv', '--cores', '0'),
      peakline('calibrate', '--points', 'open.csv', '--fast'),
      peakline('calibrate', '--points', 'missing.csv'),
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      'peakline calibrate: give --points FILE (measured load points: CSV, JSON, pgbench or wrk output) (see peakline help)\n',
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      'peakline calibrate: --cores: must be a whole number >= 1 (see peakline help)\n',
    );
    expect(c.code).toBe(2);
    expect(c.stderr).toBe("peakline calibrate: Unknown option '--fast' (see peakline help)\n");
    expect(d.code).toBe(1);
    expect(d.stderr).toBe('missing.csv: cannot read: no such file\n');
  });

  it('help names the command', async () => {
    const r = await peakline('help');
    expect(r.stdout).toContain('calibrate --points FILE');
  });
});
