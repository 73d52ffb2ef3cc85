// A run taken a slice at a time (what the CLI does so that Ctrl+C is answered): advanced to its end
// it gives simulate's result byte for byte; stopped half-way it gives the figures of the part done,
// marked partial, and they agree with the whole run's where they should.
import { describe, expect, it } from 'vitest';
import { simulate, Simulation } from './simulate';
import type { SimResult } from './result';
import { scenario } from './testkit';

const withoutWall = (r: SimResult) => JSON.stringify({ ...r, wall_ms: 0 });

/** An async order pipeline with a cache, a DB, a lock and a service: every kind of station. */
const pipeline = scenario({
  schema: 'peakline.scenario/v1',
  name: 'sliced',
  seed: 3,
  duration_s: 20,
  warmup_s: 2,
  workload: { type: 'open', rate_rps: 2000, timeout_ms: 500 },
  keyspace: { items: 500, item_zipf_s: 0.8 },
  server: { instances: 2, concurrency: 16, backlog: 500 },
  handler: [
    { cpu: { dist: 'exp', mean_ms: 0.5 } },
    {
      cache: {
        hit_ratio: 0.9,
        lookup: { dist: 'const', ms: 0.2 },
        miss_query: { dist: 'exp', mean_ms: 3 },
      },
    },
    {
      lock: {
        key: 'item',
        overhead: { dist: 'const', ms: 0.3 },
        steps: [{ db: { query: { dist: 'exp', mean_ms: 2 } } }],
      },
    },
    { enqueue: {} },
  ],
  async: {
    queue_capacity: 500,
    workers: 6,
    steps: [{ call: { service: 'push', time: { dist: 'exp', mean_ms: 2 } } }],
  },
  db: { pool_size: 12, shards: 4 },
  services: { push: { concurrency: 50 } },
});

describe('a run taken a slice at a time', () => {
  it('gives simulate’s result byte for byte when advanced to its end, series included', () => {
    const whole = simulate(pipeline, { series: true });
    const run = new Simulation(pipeline, { series: true });
    let slices = 0;
    while (!run.advance(50_000)) slices++;
    expect(slices).toBeGreaterThanOrEqual(3);
    expect(run.complete).toBe(true);
    expect(run.events).toBe(whole.events);
    const r = run.result();
    expect(r.partial).toBeUndefined();
    expect(withoutWall(r)).toBe(withoutWall(whole));
  });

  it('stopped half-way, gives the part done marked partial, with the whole run’s rates', () => {
    const whole = simulate(pipeline);
    const run = new Simulation(pipeline);
    while (!run.advance(50_000) && run.simulatedS < 12);
    expect(run.complete).toBe(false);
    const done = run.simulatedS;
    const r = run.result();
    expect(r.partial).toEqual({ simulated_s: done, of_s: 22 });
    // measured: from the end of the 2 s warm-up to where it stopped
    expect(r.duration_s).toBeCloseTo(done - 2, 9);
    expect(r.events).toBeLessThan(whole.events);
    expect(r.requests.arrived).toBeLessThan(whole.requests.arrived);
    // the same steady state: rates and latencies close to the whole run's
    expect(Math.abs(r.throughput_rps / whole.throughput_rps - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.latency_ms.mean / whole.latency_ms.mean - 1)).toBeLessThan(0.15);
    for (const [name, st] of Object.entries(whole.stations))
      expect(r.stations[name].utilization, name).toBeCloseTo(st.utilization, 1);
    // the counts still add up
    const q = r.requests;
    expect(q.ok + Object.values(r.errors).reduce((a, b) => a + b, 0) + q.in_flight).toBe(q.arrived);
    // and asking again gives the same
    expect(withoutWall(run.result())).toBe(withoutWall(r));
  });

  it('stopped within the warm-up, measures nothing rather than dividing by zero', () => {
    const run = new Simulation({ ...pipeline, warmup_s: 15 });
    run.advance(10_000);
    const r = run.result();
    expect(r.partial!.simulated_s).toBeLessThan(15);
    expect(r.duration_s).toBe(0);
    expect(r.throughput_rps).toBe(0);
    expect(r.offered_rps).toBe(0);
    expect(Number.isFinite(r.stations.instances.utilization)).toBe(true);
  });
});
