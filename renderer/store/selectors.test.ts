// Derivations the readouts, charts and compare table show, checked on real simulation results.
import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from '../../sim-core/result';
import type { ScenarioInput } from '../../sim-core/schema';
import { simulate } from '../../sim-core/index';
import { scenario as validated } from '../../sim-core/testkit';
import { downsample, thinCdf } from '../sim/thin';
import {
  asyncCapacity,
  compareRows,
  errorCauses,
  queueFilled,
  scenarioDiff,
  sloVerdicts,
  stationRows,
  readoutsOf,
  resultCsv,
  selectProblems,
  stationBars,
} from './selectors';
import { createAppStore } from './index';

const scenario = (workers: number): ScenarioInput => ({
  schema: 'peakline.scenario/v1',
  name: `async ${workers}`,
  seed: 7,
  duration_s: 4,
  warmup_s: 0.5,
  workload: { type: 'open', rate_rps: 800 },
  server: { concurrency: 64 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 0.5 } }, { enqueue: {} }],
  async: {
    queue_capacity: 200,
    when_full: 'reject',
    workers,
    steps: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
  },
});
const run = (s: ScenarioInput) => simulate(validated(s), { series: true });

describe('readouts', () => {
  it('give the six numbers with intervals that contain the estimate', () => {
    const r = run(scenario(8));
    const rs = readoutsOf(r);
    expect(rs.map((x) => x.key)).toEqual([
      'throughput',
      'p99',
      'errorRate',
      'p50',
      'asyncBacklog',
      'taskDelay',
    ]);
    const tp = rs[0];
    expect(tp.value).toBeCloseTo(r.throughput_rps);
    expect(tp.ci![0]).toBeLessThanOrEqual(tp.value!);
    expect(tp.ci![1]).toBeGreaterThanOrEqual(tp.value!);
    expect(rs[4].value).not.toBeNull();
  });

  it('say "not applicable" for async readouts of a synchronous scenario', () => {
    const s = scenario(8);
    const sync: ScenarioInput = {
      ...s,
      handler: [{ cpu: { dist: 'exp', mean_ms: 0.5 } }],
      async: undefined,
    };
    const rs = readoutsOf(run(sync));
    expect(rs.find((x) => x.key === 'asyncBacklog')!.value).toBeNull();
    expect(rs.find((x) => x.key === 'taskDelay')!.value).toBeNull();
  });
});

describe('compare rows', () => {
  it('mark fewer workers (a longer task delay, more errors) as worse and judge P99 by the SLO', () => {
    const a = run(scenario(8));
    const b = run(scenario(2));
    const rows = compareRows(a, b, 1e6);
    const delay = rows.find((r) => r.metric === 'taskDelay')!;
    expect(delay.delta).toBeGreaterThan(0);
    expect(delay.verdict).toBe('worse');
    const p99 = rows.find((r) => r.metric === 'p99')!;
    expect(p99.aMeets).toBe(true);
    expect(compareRows(a, b, 0.0001).find((r) => r.metric === 'p99')!.bMeets).toBe(false);
    expect(compareRows(a, a, 200).every((r) => r.verdict === 'same')).toBe(true);
  });
});

describe('charts data', () => {
  const point = (t: number, p99: number): SeriesPoint => ({
    t_s: t,
    rps: 1,
    ok_rps: 1,
    error_rps: 0,
    p50_ms: 1,
    p99_ms: p99,
    in_flight: 0,
    backlog: 0,
    async_backlog: 0,
    blocked: 0,
  });

  it('downsample to the asked number of points and keep a spike visible', () => {
    const series = Array.from({ length: 1000 }, (_, i) => point(i, i === 537 ? 900 : 10));
    const d = downsample(series, 100);
    expect(d).toHaveLength(100);
    expect(Math.max(...d.map((p) => p.p99_ms))).toBe(900);
    expect(downsample(series.slice(0, 50), 100)).toHaveLength(50);
  });

  it('thin a CDF keeping both ends', () => {
    const cdf = Array.from({ length: 1000 }, (_, i): [number, number] => [i, (i + 1) / 1000]);
    const thin = thinCdf(cdf, 50);
    expect(thin).toHaveLength(50);
    expect(thin[0]).toEqual(cdf[0]);
    expect(thin[49]).toEqual(cdf[999]);
  });

  it('list stations busiest first and flag the saturating one', () => {
    const r = run(scenario(2));
    const bars = stationBars(r);
    for (let i = 1; i < bars.length; i++)
      expect(bars[i - 1].utilization).toBeGreaterThanOrEqual(bars[i].utilization);
    if (r.saturated) expect(bars.find((b) => b.saturated)!.name).toBe(r.saturated);
  });

  it('give the station table a row per station, in the pipeline’s order, with its flow', () => {
    const r = run(scenario(2));
    const rows = stationRows(r);
    expect(rows.map((x) => x.name)).toEqual(Object.keys(r.stations));
    expect(rows.filter((x) => x.saturated).map((x) => x.name)).toEqual(
      r.saturated ? [r.saturated] : [],
    );
    const workers = rows.find((x) => x.name === 'workers')!;
    expect(workers.utilization).toBeGreaterThan(0.9);
    expect(workers.throughput_rps).toBeGreaterThan(0);
    expect(workers.residence_ms).toBeGreaterThan(workers.mean_wait_ms);
    // a result saved before stations reported their flow shows none rather than a wrong number
    const old = { ...r, stations: { workers: { ...r.stations.workers } } };
    delete old.stations.workers.throughput_rps;
    delete old.stations.workers.residence_ms;
    expect(stationRows(old)[0]).toMatchObject({ throughput_rps: null, residence_ms: null });
  });

  it('export a CSV with the summary and one row per series window', () => {
    const r = run(scenario(8));
    const csv = resultCsv(r).trim().split('\n');
    expect(csv[0]).toBe('metric,value');
    expect(csv).toContain(`throughput_rps,${r.throughput_rps}`);
    const stations = csv.indexOf(
      'station,servers,throughput_rps,utilization,mean_queue,mean_wait_ms,residence_ms',
    );
    expect(csv.slice(stations + 1, stations + 1 + Object.keys(r.stations).length)).toEqual(
      Object.entries(r.stations).map(([name, st]) =>
        [
          name,
          st.servers,
          st.throughput_rps,
          st.utilization,
          st.mean_queue,
          st.mean_wait_ms,
          st.residence_ms,
        ].join(','),
      ),
    );
    const header = csv.indexOf(
      't_s,rps,ok_rps,error_rps,p50_ms,p99_ms,in_flight,backlog,async_backlog,blocked',
    );
    expect(header).toBeGreaterThan(0);
    expect(csv.length - header - 1).toBe(r.series!.length);
  });
});

describe('validation selector', () => {
  it('names the path of a bad field and caches per scenario object', () => {
    const store = createAppStore();
    const bad = { ...store.getState().scenario, server: { concurrency: 0 } } as ScenarioInput;
    store.getState().setScenario(bad);
    const problems = selectProblems(store.getState());
    expect(problems.map((p) => p.path)).toContain('server.concurrency');
    expect(selectProblems(store.getState())).toBe(problems);
  });
});

describe('compare verdicts', () => {
  // 800 tasks/s of 5 ms: 4 workers are needed on average; 2 cannot keep up and the channel of
  // 200 fills (when_full: reject refuses the rest), 8 keep it nearly empty.
  it('never let a change that fills the async queue meet the SLO, whatever P99 says', () => {
    const sa = scenario(8);
    const sb = scenario(2);
    const a = run(sa);
    const b = run(sb);
    const caps = { a: asyncCapacity(sa), b: asyncCapacity(sb) };
    expect(caps).toEqual({ a: 200, b: 200 });
    expect(queueFilled(a, caps.a)).toBe(false);
    expect(queueFilled(b, caps.b)).toBe(true);
    const rows = sloVerdicts(a, b, [{ metric: 'p99', op: '<=', value: 1e6 }], caps);
    expect(rows.map((r) => [r.clause, r.aMeets, r.bMeets])).toEqual([
      ['p99<=1000000', true, true],
      [null, true, false],
    ]);
    const backlog = compareRows(a, b, 1e6, caps).find((r) => r.metric === 'asyncBacklog')!;
    expect(backlog.bMeets).toBe(false);
    expect(backlog.verdict).toBe('worse');
    expect(errorCauses(b)[0][0]).toBe('async_queue_full');
    expect(scenarioDiff(sa, sb)).toEqual([
      { path: 'name', a: '"async 8"', b: '"async 2"' },
      { path: 'async.workers', a: '8', b: '2' },
    ]);
  });
});
