// Replications merged into one result: a stationary scenario's measured window cut into shorter
// runs agrees with queueing theory and with one long run, its counts add up, its percentiles come
// from the pooled histograms and its intervals cover the truth about 95 % of the time; a
// scenario whose load changes over time is repeated whole and its interval comes from the runs;
// one replication is exactly the plain run.
import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram';
import { mergeResults, planReplications, replicationSeed, isStationary } from './merge';
import type { SimResult } from './result';
import type { Scenario, ScenarioInput } from './schema';
import { simulate } from './simulate';
import { exp, scenario } from './testkit';

/** M/M/1: Poisson arrivals at `rate`, exponential service of mean `ms`, one server. */
const mm1 = (over: Partial<ScenarioInput> = {}, rate = 160, ms = 5): Scenario =>
  scenario({
    seed: 7,
    duration_s: 60,
    warmup_s: 5,
    workload: { type: 'open', rate_rps: rate },
    server: { concurrency: 1 },
    handler: [{ cpu: exp(ms) }],
    ...over,
  });

/** Runs every replication of `s` (with the parts merging needs) and merges them. */
function replicate(s: Scenario, n: number, series = false): SimResult {
  const plan = planReplications(s, n);
  return mergeResults(
    s,
    plan,
    plan.runs.map((run) => simulate(run, { parts: true, series })),
  );
}

describe('histograms as plain data', () => {
  it('merge through data (and JSON) exactly as the histograms themselves merge', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 1; i <= 5000; i++) a.record(i * 0.013);
    for (let i = 1; i <= 700; i++) b.record(40 + i * 1.7);
    const direct = new Histogram();
    direct.merge(a);
    direct.merge(b);
    const viaData = Histogram.fromData(
      JSON.parse(JSON.stringify(a.toData())),
      JSON.parse(JSON.stringify(b.toData())),
      new Histogram().toData(),
    );
    for (const q of [0, 0.25, 0.5, 0.9, 0.99, 0.999, 1])
      expect(viaData.quantile(q)).toBe(direct.quantile(q));
    expect(viaData.count).toBe(5700);
    expect(viaData.sum).toBeCloseTo(direct.sum, 9);
    expect(viaData.max).toBe(direct.max);
    expect(viaData.min).toBe(direct.min);
    // only the buckets that hold values travel
    expect(a.toData().buckets.length).toBeLessThan(2 * 1500);
  });
});

describe('planning replications', () => {
  it('cuts a stationary scenario with a warm-up into shorter runs, each with its own seed', () => {
    const s = mm1();
    const plan = planReplications(s, 4);
    expect(plan.mode).toBe('split');
    expect(plan.runs.map((r) => r.duration_s)).toEqual([15, 15, 15, 15]);
    expect(plan.runs.map((r) => r.warmup_s)).toEqual([5, 5, 5, 5]);
    expect(plan.runs[0].seed).toBe(7);
    expect(new Set(plan.runs.map((r) => r.seed)).size).toBe(4);
    // batches keep their length: 20 of 3 s in the whole run, 5 of 3 s in each quarter
    expect(plan.runs.map((r) => r.stats.batches)).toEqual([5, 5, 5, 5]);
    expect(replicationSeed(7, 0)).toBe(7);
  });

  it('repeats the whole scenario when its load changes over time, or without a warm-up', () => {
    const curve = mm1({
      workload: {
        type: 'open',
        rate_rps: [
          [0, 20],
          [60, 180],
        ],
      },
    });
    expect(isStationary(curve)).toBe(false);
    const faults = mm1({
      server: { concurrency: 1, instances: 2 },
      gateway: { faults: [{ instance: 1, down_s: 10, up_s: 20 }] },
    });
    for (const s of [curve, faults, mm1({ warmup_s: 0 })]) {
      const plan = planReplications(s, 3);
      expect(plan.mode).toBe('repeat');
      expect(plan.runs.map((r) => r.duration_s)).toEqual([60, 60, 60]);
      expect(new Set(plan.runs.map((r) => r.seed)).size).toBe(3);
    }
  });

  it('leaves the scenario as it is for one replication: exactly the plain run', () => {
    const s = mm1();
    const plan = planReplications(s, 1);
    expect(plan.runs).toEqual([s]);
    const one = replicate(s, 1);
    const plain = simulate(s);
    const { parts, ...rest } = one;
    expect(parts).toBeDefined();
    expect(JSON.stringify({ ...rest, wall_ms: 0 })).toBe(JSON.stringify({ ...plain, wall_ms: 0 }));
  });

  it('never adds parts to a run that did not ask for them (the CLI prints what it did)', () => {
    expect('parts' in simulate(mm1({ duration_s: 2 }))).toBe(false);
  });
});

describe('merging a stationary scenario cut into runs', () => {
  it('keeps the station table’s throughput and residence: pooled starts over pooled time, visits weighted by their count', () => {
    const s = mm1({ duration_s: 20, warmup_s: 2 });
    const plan = planReplications(s, 2);
    const runs = plan.runs.map((run) => simulate(run, { parts: true, series: true }));
    const r = mergeResults(s, plan, runs);
    const st = r.stations.workers ?? Object.values(r.stations)[0];
    const name = Object.keys(r.stations).find((k) => r.stations[k] === st)!;
    const [a, b] = runs.map((x) => x.stations[name]);
    expect(st.throughput_rps).toBeCloseTo(
      (a.throughput_rps! * runs[0].duration_s + b.throughput_rps! * runs[1].duration_s) /
        (runs[0].duration_s + runs[1].duration_s),
      9,
    );
    const [na, nb] = runs.map((x) => x.parts!.wait_n[name]);
    expect(st.residence_ms).toBeCloseTo(
      (a.residence_ms! * na + b.residence_ms! * nb) / (na + nb),
      9,
    );
    // M/M/1 at 160/s of 5 ms: 160 starts a second, a visit of 5 / (1 − 0.8) = 25 ms
    expect(st.throughput_rps).toBeGreaterThan(150);
    expect(st.residence_ms).toBeGreaterThan(15);
  });

  it('agrees with M/M/1 theory: mean 25 ms, P99 = 25 ms × ln 100 at 80 % load', () => {
    const r = replicate(mm1(), 4);
    expect(r.replications).toMatchObject({ mode: 'split', count: 4, measured_s: 15 });
    expect(r.duration_s).toBe(60);
    expect(Math.abs(r.latency_ms.mean - 25) / 25).toBeLessThan(0.1);
    expect(Math.abs(r.latency_ms.p99 - 25 * Math.log(100)) / (25 * Math.log(100))).toBeLessThan(
      0.12,
    );
    expect(Math.abs(r.throughput_rps - 160) / 160).toBeLessThan(0.03);
    expect(Math.abs(r.stations.instances.utilization - 0.8)).toBeLessThan(0.03);
    // M/M/1 mean queue (waiting, not in service): ρ²/(1−ρ) = 3.2
    expect(Math.abs(r.stations.instances.mean_queue - 3.2) / 3.2).toBeLessThan(0.15);
  });

  it('counts add up: pooled arrivals, fates and errors, rates over the pooled measured time', () => {
    const s = scenario({
      seed: 3,
      duration_s: 20,
      warmup_s: 2,
      workload: { type: 'open', rate_rps: 900, timeout_ms: 40 },
      server: { concurrency: 4, backlog: 10 },
      handler: [{ cpu: exp(4) }, { enqueue: {} }],
      async: { queue_capacity: 5, when_full: 'reject', workers: 2, steps: [{ cpu: exp(3) }] },
    });
    const plan = planReplications(s, 2);
    const runs = plan.runs.map((run) => simulate(run, { parts: true }));
    const r = mergeResults(s, plan, runs);
    const q = r.requests;
    expect(q.arrived).toBe(runs[0].requests.arrived + runs[1].requests.arrived);
    expect(q.arrived).toBe(q.completed + q.rejected + q.timed_out + q.in_flight);
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    expect(q.ok + errors + q.in_flight).toBe(q.arrived);
    expect(r.errors.backlog_full).toBeGreaterThan(0);
    expect(r.errors.client_timeout).toBeGreaterThan(0);
    expect(r.throughput_rps).toBeCloseTo((runs[0].requests.ok + runs[1].requests.ok) / 20, 0);
    expect(r.offered_rps).toBeCloseTo((runs[0].offered_rps + runs[1].offered_rps) / 2, 9);
    expect(r.async!.rejected).toBe(runs[0].async!.rejected + runs[1].async!.rejected);
    expect(r.async!.max_backlog).toBe(5);
    // the merged latency summary is the summary of the pooled histogram
    const pooled = Histogram.fromData(runs[0].parts!.latency, runs[1].parts!.latency);
    expect(r.latency_ms.p99).toBe(pooled.quantile(0.99));
    expect(r.latency_ms.max).toBe(Math.max(runs[0].latency_ms.max, runs[1].latency_ms.max));
    expect(r.latency_ms.p99).toBeGreaterThanOrEqual(
      Math.min(runs[0].latency_ms.p99, runs[1].latency_ms.p99),
    );
    expect(r.latency_ms.p99).toBeLessThanOrEqual(
      Math.max(runs[0].latency_ms.p99, runs[1].latency_ms.p99),
    );
    // intervals from the batches of both runs: as many as one long run has
    expect(r.replications).toMatchObject({ ci: 'batches', batches: 20 });
  });

  it('agrees with one long run of the async seed within the intervals, and names the same bottleneck', () => {
    const s = scenario({
      seed: 1,
      duration_s: 30,
      warmup_s: 3,
      workload: { type: 'closed', connections: 200, timeout_ms: 2000 },
      server: { concurrency: 1024, backlog: 4096 },
      handler: [
        { db: { key: 'user', query: { dist: 'lognormal', mean_ms: 4.65, p99_ms: 60 } } },
        { enqueue: {} },
      ],
      async: {
        queue_capacity: 1000,
        workers: 4,
        steps: [
          { call: { service: 'broker', time: { dist: 'lognormal', mean_ms: 1.9, p99_ms: 7 } } },
        ],
      },
      db: { pool_size: 20, acquire_timeout_ms: 0, shards: 1, shard_concurrency: 64 },
      services: { broker: { concurrency: 1000, queue: 100000 } },
    });
    const one = simulate(s, { series: true });
    const two = replicate(s, 2, true);
    const near = (a: number, b: number, ha: number, hb: number) =>
      expect(Math.abs(a - b)).toBeLessThan(1.5 * Math.hypot(ha, hb) + 1e-9);
    near(
      two.throughput_rps,
      one.throughput_rps,
      two.ci95.throughput_rps.half_width,
      one.ci95.throughput_rps.half_width,
    );
    near(
      two.latency_ms.p99,
      one.latency_ms.p99,
      two.ci95.latency_p99_ms.half_width,
      one.ci95.latency_p99_ms.half_width,
    );
    // four workers cannot keep up with the side work: they saturate in both
    expect(one.saturated).toBe('workers');
    expect(two.saturated).toBe('workers');
    // the series: the first run's warm-up, then each run's measured window in turn, one axis
    const t = two.series!.map((p) => p.t_s);
    expect(t.every((x, i) => i === 0 || x > t[i - 1])).toBe(true);
    expect(t.at(-1)).toBeCloseTo(33, 6);
    expect(t.length).toBe(one.series!.length);
    expect(two.cdf!.at(-1)![1]).toBe(1);
  });

  it('gives 95 % intervals for the mean latency that cover the true mean about 95 % of the time', () => {
    // M/M/1 at 50 % load: mean response 1 / (μ − λ) = 10 ms; 60 experiments of 4 runs each
    let covered = 0;
    const n = 60;
    for (let e = 0; e < n; e++) {
      const s = mm1({ seed: 100 + e, duration_s: 40, warmup_s: 1 }, 100, 5);
      const r = replicate(s, 4);
      const c = r.ci95.latency_mean_ms;
      if (c.low <= 10 && 10 <= c.high) covered++;
    }
    // 95 % of 60 is 57; a binomial 99 % band reaches down to about 52
    expect(covered).toBeGreaterThanOrEqual(50);
  });
});

describe('merging whole runs of a changing load', () => {
  const ramp = () =>
    mm1({
      duration_s: 20,
      warmup_s: 0,
      workload: {
        type: 'open',
        rate_rps: [
          [0, 40],
          [20, 190],
        ],
      },
    });

  it('keeps the time axis, averages the series window by window, and takes intervals from the runs', () => {
    const s = ramp();
    const plan = planReplications(s, 3);
    const runs = plan.runs.map((run) => simulate(run, { parts: true, series: true }));
    const r = mergeResults(s, plan, runs);
    expect(r.replications).toMatchObject({ mode: 'repeat', count: 3, ci: 'runs' });
    expect(r.series!.map((p) => p.t_s)).toEqual(runs[0].series!.map((p) => p.t_s));
    const k = Math.floor(r.series!.length / 2);
    expect(r.series![k].rps).toBeCloseTo(
      (runs[0].series![k].rps + runs[1].series![k].rps + runs[2].series![k].rps) / 3,
      9,
    );
    // counts are of one run's length: the mean of the three
    expect(r.requests.arrived).toBeCloseTo(
      (runs[0].requests.arrived + runs[1].requests.arrived + runs[2].requests.arrived) / 3,
      9,
    );
    // the interval of the throughput: Student's t with 2 degrees of freedom over the three runs
    const tp = runs.map((x) => x.throughput_rps);
    const m = (tp[0] + tp[1] + tp[2]) / 3;
    const sd = Math.sqrt(tp.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    expect(r.ci95.throughput_rps.half_width).toBeCloseTo((4.303 * sd) / Math.sqrt(3), 9);
    // the load rises to 95 %: the end of the ramp is slower than its start
    expect(r.series!.at(-1)!.p99_ms).toBeGreaterThan(r.series![2].p99_ms);
  });
});
