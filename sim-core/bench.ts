// Engine benchmarks (DESIGN.md "Performance"): M/M/c events per second, seed-like scenarios and a
// sale-day-like scenario, in milliseconds of wall time. Pure: the clock is passed in, nothing is
// printed, nothing is asserted — `peakline bench` prints the figures.
import { ScenarioSchema, type Scenario, type ScenarioInput } from './schema';
import { simulate } from './simulate';

/** One benchmark figure. */
export interface BenchFigure {
  name: string;
  /** What was measured, e.g. "median of 7 runs". */
  detail: string;
  wall_ms: number;
  events?: number;
  events_per_s?: number;
  /** The target from DESIGN.md, e.g. "< 50 ms". */
  target?: string;
  meets_target?: boolean;
}

/** Options of `runBenchmarks`. */
export interface BenchOptions {
  /** Wall clock in ms (performance.now). */
  now?: () => number;
  /** Skip the slow sale-day run (a few seconds). */
  quick?: boolean;
}

const scenario = (s: Omit<ScenarioInput, 'schema'>): Scenario =>
  ScenarioSchema.parse({ schema: 'peakline.scenario/v1', ...s });

const lognormal = (mean_ms: number, p99_ms: number) => ({
  dist: 'lognormal' as const,
  mean_ms,
  p99_ms,
});

/** M/M/8 at 90 % load: the engine's raw speed. */
export const MMC_BENCH = scenario({
  name: 'bench: M/M/8 at ρ = 0.9',
  duration_s: 400,
  workload: { type: 'open', rate_rps: 7200 },
  server: { concurrency: 8 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 1 } }],
});

/** Like profiles/seed-sync-baseline.json: wrk -c200, every step in the request, pool-bound. */
export const SEED_SYNC_BENCH = scenario({
  name: 'bench: seed-like synchronous order path',
  duration_s: 30,
  warmup_s: 3,
  workload: { type: 'closed', connections: 200, timeout_ms: 2000 },
  server: { concurrency: 1024, backlog: 4096 },
  handler: [
    {
      cache: {
        key: 'item',
        hit_ratio: 0.9,
        lookup: lognormal(0.5, 2),
        miss_query: lognormal(4, 20),
      },
    },
    { db: { key: 'user', query: lognormal(21, 80) } },
    { db: { key: 'user', query: lognormal(15, 60) } },
    { call: { service: 'push', time: lognormal(120, 525) } },
  ],
  db: { pool_size: 20, acquire_timeout_ms: 0, shards: 1, shard_concurrency: 64 },
  services: { push: { concurrency: 4096 } },
});

/** Like profiles/seed-async-queue.json: the same path with the side work on a bounded channel. */
export const SEED_ASYNC_BENCH = scenario({
  name: 'bench: seed-like async order path',
  duration_s: 30,
  warmup_s: 3,
  workload: { type: 'closed', connections: 200, timeout_ms: 2000 },
  keyspace: { users: 1_000_000, items: 2000, item_zipf_s: 0.8 },
  server: { concurrency: 1024, backlog: 4096 },
  handler: [
    {
      cache: {
        key: 'item',
        hit_ratio: 0.98,
        lookup: lognormal(0.5, 2),
        miss_query: lognormal(4, 20),
      },
    },
    { db: { key: 'user', query: lognormal(4.7, 60) } },
    { enqueue: {} },
  ],
  async: {
    queue_capacity: 1000,
    when_full: 'block',
    workers: 10,
    steps: [{ call: { service: 'broker', time: lognormal(1.9, 7) } }],
  },
  db: { pool_size: 20, acquire_timeout_ms: 0, shards: 1, shard_concurrency: 64 },
  services: { broker: { concurrency: 4096 } },
});

/** Like profiles/sale-day-peak.json: 120,000 QPS for 60 s over 40 instances, 16 shards, cache. */
export const SALE_DAY_BENCH = scenario({
  name: 'bench: sale-day-like peak',
  duration_s: 60,
  warmup_s: 5,
  workload: { type: 'open', rate_rps: 120_000, timeout_ms: 2000 },
  keyspace: { users: 10_000_000, items: 100_000, user_zipf_s: 0.6, item_zipf_s: 0.9 },
  gateway: { balancer: 'least_conn', max_fails: 3, fail_timeout_s: 30 },
  server: { instances: 40, concurrency: 128, backlog: 1024 },
  handler: [
    { cpu: { dist: 'gamma', mean_ms: 1, cv: 0.5 } },
    {
      cache: {
        key: 'item',
        hit_ratio: 0.97,
        lookup: lognormal(0.5, 2),
        miss_query: lognormal(4, 20),
      },
    },
    { db: { key: 'user', query: lognormal(3, 15) } },
    { enqueue: {} },
  ],
  async: {
    queue_capacity: 1000,
    when_full: 'block',
    workers: 16,
    steps: [{ call: { service: 'broker', time: lognormal(1.5, 6) } }],
  },
  db: { pool_size: 24, acquire_timeout_ms: 500, shards: 16, shard_concurrency: 32 },
  services: { broker: { concurrency: 4096 } },
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times `runs` runs of a scenario after `warm` untimed ones; the median run. */
function timeScenario(s: Scenario, now: () => number, warm: number, runs: number) {
  for (let k = 0; k < warm; k++) simulate(s);
  const walls: number[] = [];
  let events = 0;
  for (let k = 0; k < runs; k++) {
    const t0 = now();
    events = simulate(s).events;
    walls.push(now() - t0);
  }
  const wall = median(walls);
  return { wall, events, eps: events / (wall / 1000) };
}

/**
 * Runs the engine benchmarks and returns their figures. `opts` may be the clock itself or
 * `{ now, quick }`; the clock defaults to Date.now (pass performance.now for precision).
 */
export function runBenchmarks(opts: BenchOptions | (() => number) = {}): BenchFigure[] {
  const o: BenchOptions = typeof opts === 'function' ? { now: opts } : opts;
  const now = o.now ?? (() => Date.now());
  const out: BenchFigure[] = [];

  const mmc = timeScenario(MMC_BENCH, now, 1, 3);
  out.push({
    name: 'engine: M/M/8 at ρ = 0.9',
    detail: `events per second (${(mmc.events / 1e6).toFixed(1)} M events), median of 3 runs`,
    wall_ms: mmc.wall,
    events: mmc.events,
    events_per_s: mmc.eps,
    target: '>= 10,000,000 events/s',
    meets_target: mmc.eps >= 10e6,
  });

  for (const s of [SEED_SYNC_BENCH, SEED_ASYNC_BENCH]) {
    const r = timeScenario(s, now, 2, 7);
    out.push({
      name: s.name,
      detail: '30 s after a 3 s warm-up, 200 closed connections; median of 7 runs after 2 untimed',
      wall_ms: r.wall,
      events: r.events,
      events_per_s: r.eps,
      target: '< 50 ms',
      meets_target: r.wall < 50,
    });
  }

  if (!o.quick) {
    const r = timeScenario(SALE_DAY_BENCH, now, 0, 1);
    out.push({
      name: SALE_DAY_BENCH.name,
      detail: '120,000 QPS × 65 s simulated (5 s warm-up), 40 instances, 16 shards; one run',
      wall_ms: r.wall,
      events: r.events,
      events_per_s: r.eps,
      target: '< 5000 ms',
      meets_target: r.wall < 5000,
    });
  }
  return out;
}
