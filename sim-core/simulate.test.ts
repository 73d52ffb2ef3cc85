// Behaviour of simulate(): requests are conserved, Little's law holds, the same seed gives the
// same result, every error cause shows up when a scenario is built to cause it, and random valid
// scenarios never throw.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulate, SimCancelled } from './simulate';
import type { SimResult } from './result';
import type { ScenarioInput } from './schema';
import { exp, scenario, scenarioArb } from './testkit';

/** arrived = completed + rejected + timed_out + in_flight, and the errors add up the same way. */
function expectConserved(r: SimResult) {
  const q = r.requests;
  expect(q.arrived).toBe(q.completed + q.rejected + q.timed_out + q.in_flight);
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  expect(q.ok + errors + q.in_flight).toBe(q.arrived);
  expect(q.timed_out).toBe(r.errors.client_timeout);
  expect(q.in_flight).toBeGreaterThanOrEqual(0);
}

const withoutWall = (r: SimResult) => JSON.stringify({ ...r, wall_ms: 0 });

const pipeline = (over: Partial<ScenarioInput> = {}) =>
  scenario({
    seed: 4,
    duration_s: 10,
    warmup_s: 1,
    workload: { type: 'open', rate_rps: 1500, timeout_ms: 400 },
    keyspace: { users: 100_000, items: 500, user_zipf_s: 1.1, item_zipf_s: 0.9 },
    gateway: {
      balancer: 'least_conn',
      max_fails: 3,
      fail_timeout_s: 2,
      faults: [{ instance: 1, down_s: 4, up_s: 6 }],
    },
    server: { instances: 3, concurrency: 16, backlog: 200 },
    handler: [
      { cpu: exp(0.5) },
      {
        cache: {
          hit_ratio: 0.8,
          lookup: { dist: 'const', ms: 0.2 },
          miss_query: { dist: 'lognormal', mean_ms: 3, p99_ms: 20 },
          key: 'item',
        },
      },
      {
        lock: {
          key: 'item',
          timeout_ms: 100,
          overhead: { dist: 'const', ms: 0.3 },
          steps: [{ db: { query: exp(2), key: 'user' } }],
        },
      },
      { call: { service: 'risk', time: { dist: 'gamma', mean_ms: 2, cv: 0.5 } } },
      { enqueue: {} },
    ],
    async: {
      queue_capacity: 200,
      when_full: 'block',
      workers: 4,
      steps: [{ cpu: exp(1) }, { db: { query: exp(1), key: 'user' } }],
    },
    db: { pool_size: 10, acquire_timeout_ms: 50, shards: 16, shard_concurrency: 4 },
    services: { risk: { concurrency: 20, queue: 100 } },
    ...over,
  });

describe('simulate', () => {
  it('conserves requests and obeys Little’s law on an M/M/4 queue', () => {
    const r = simulate(
      scenario({
        seed: 1,
        duration_s: 100,
        warmup_s: 2,
        workload: { type: 'open', rate_rps: 3000 },
        server: { concurrency: 4 },
        handler: [{ cpu: exp(1) }],
      }),
    );
    expectConserved(r);
    const st = r.stations.instances;
    const inSystem = st.utilization * st.servers + st.mean_queue;
    expect(inSystem / ((r.throughput_rps / 1000) * r.latency_ms.mean)).toBeCloseTo(1, 1);
    expect(Math.abs(inSystem / ((r.throughput_rps / 1000) * r.latency_ms.mean) - 1)).toBeLessThan(
      0.02,
    );
    expect(r.ci95.throughput_rps.low).toBeLessThan(3000);
    expect(r.ci95.throughput_rps.high).toBeGreaterThan(3000);
    expect(r.ci95.latency_mean_ms.half_width).toBeGreaterThan(0);
    expect(r.ci95.latency_p99_ms.half_width).toBeGreaterThan(0);
    expect(r.events).toBeGreaterThan(2 * r.requests.arrived);
  });

  it('gives each station its throughput and residence time when series are asked for (the flow through the program)', () => {
    const s = scenario({
      seed: 3,
      duration_s: 40,
      warmup_s: 2,
      workload: { type: 'open', rate_rps: 1000 },
      server: { instances: 2, concurrency: 8 },
      handler: [
        { cpu: exp(1) },
        {
          cache: {
            hit_ratio: 0.8,
            lookup: { dist: 'const', ms: 0.2 },
            miss_query: exp(1),
            key: 'item',
          },
        },
        { lock: { key: 'item', steps: [{ db: { query: exp(2), key: 'user' } }] } },
        { call: { service: 'risk', time: exp(3) } },
        { enqueue: {} },
      ],
      async: { queue_capacity: 100, when_full: 'block', workers: 4, steps: [{ cpu: exp(2) }] },
      db: { pool_size: 6, shards: 4, shard_concurrency: 2 },
      keyspace: { items: 100_000 },
      services: { risk: { concurrency: 6 } },
    });
    const plain = simulate(s);
    expect(plain.stations.db_pool.throughput_rps).toBeUndefined();
    expect(plain.stations.db_pool.residence_ms).toBeUndefined();
    const r = simulate(s, { series: true });
    const st = r.stations;
    // the same run: the figures it had are untouched
    expect({ ...st.db_pool, throughput_rps: undefined, residence_ms: undefined }).toEqual({
      ...plain.stations.db_pool,
      throughput_rps: undefined,
      residence_ms: undefined,
    });
    const near = (v: number | undefined, want: number, tol = 0.05) =>
      expect(Math.abs(v! / want - 1)).toBeLessThan(tol);
    // visits per request × 1000 req/s: one handler, one query plus a miss's 20 %, one lock, one call
    near(st.instances.throughput_rps, 1000);
    near(st.db_pool.throughput_rps, 1200);
    const shards = [0, 1, 2, 3].map((k) => st[`shard[${k}]`].throughput_rps!);
    near(
      shards.reduce((a, b) => a + b, 0),
      1200,
    );
    near(st['lock[0]'].throughput_rps, 1000);
    near(st['service:risk'].throughput_rps, 1000);
    near(st.workers.throughput_rps, r.async!.throughput_rps, 0.02);
    // the handler is held for the whole request: its residence is the response time
    near(st.instances.residence_ms, r.latency_ms.mean, 0.05);
    // a call holds its service for its time (3 ms) after its wait
    near(st['service:risk'].residence_ms! - st['service:risk'].mean_wait_ms, 3, 0.08);
    // the async queue holds nothing: a task's visit is its wait there
    expect(st.async_queue.residence_ms).toBeCloseTo(st.async_queue.mean_wait_ms, 9);
    // Little's law at each station: mean number there = throughput × residence
    for (const name of ['instances', 'db_pool', 'service:risk', 'workers', 'shard[0]']) {
      const x = st[name];
      const queue = name === 'workers' ? st.async_queue.mean_queue : x.mean_queue;
      near(x.utilization * x.servers + queue, (x.throughput_rps! * x.residence_ms!) / 1000, 0.05);
    }
  });

  it('the same scenario and seed give the same result, byte for byte except wall_ms', () => {
    const s = pipeline();
    const a = simulate(s, { series: true });
    const b = simulate(s, { series: true });
    expect(withoutWall(a)).toBe(withoutWall(b));
    const c = simulate(s, { series: true, seed: 5 });
    expect(withoutWall(c)).not.toBe(withoutWall(a));
    expectConserved(a);
  });

  it('runs the whole order pipeline and reports every station', () => {
    const r = simulate(pipeline(), { series: true });
    expect(Object.keys(r.stations)).toEqual(
      expect.arrayContaining([
        'instances',
        'instance[0]',
        'async_queue',
        'workers',
        'db_pool',
        'shard[0]',
        'shard[15]',
        'service:risk',
        'lock[0]',
      ]),
    );
    expect(r.async!.completed).toBeGreaterThan(0);
    expect(r.async!.task_delay_ms.mean).toBeGreaterThan(0);
    expect(r.latency_ms.p50).toBeLessThanOrEqual(r.latency_ms.p99);
    expect(r.latency_ms.p99).toBeLessThanOrEqual(r.latency_ms.p999);
    expect(r.latency_ms.p999).toBeLessThanOrEqual(r.latency_ms.max);
    // the Zipf-hot user 0 sits on shard 0, which works harder than the rest
    expect(r.stations['shard[0]'].utilization).toBeGreaterThan(r.stations['shard[7]'].utilization);
    // series: 11 s at an automatic width, 100–300 points; the crash shows as errors
    expect(r.series!.length).toBeGreaterThanOrEqual(100);
    expect(r.series!.length).toBeLessThanOrEqual(300);
    expect(r.series!.length * r.window_s).toBeCloseTo(11, 6);
    const during = r.series!.filter((p) => p.t_s > 4 && p.t_s <= 6);
    expect(during.some((p) => p.error_rps > 0)).toBe(true);
    expect(r.cdf![r.cdf!.length - 1][1]).toBe(1);
  });

  it('counts only what happens after the warm-up', () => {
    const s = scenario({
      seed: 1,
      duration_s: 10,
      warmup_s: 5,
      workload: { type: 'open', rate_rps: 1000, arrivals: 'uniform' },
      server: { concurrency: 1 },
      handler: [{ cpu: { dist: 'const', ms: 0.5 } }],
    });
    const r = simulate(s);
    expect(r.requests.arrived).toBe(10_000);
    expect(r.offered_rps).toBe(1000);
    expect(r.latency_ms.max).toBeCloseTo(0.5, 9);
    expect(r.stations.instances.utilization).toBeCloseTo(0.5, 3);
  });

  it('follows a piecewise-linear rate (a flash-sale spike) and shows it in the series', () => {
    const s = scenario({
      seed: 2,
      duration_s: 20,
      workload: {
        type: 'open',
        rate_rps: [
          [0, 500],
          [5, 500],
          [6, 5000],
          [10, 5000],
          [11, 500],
        ],
      },
      server: { concurrency: 16, backlog: 100_000 },
      handler: [{ cpu: exp(1) }],
      stats: { window_s: 1, batches: 10 },
    });
    const r = simulate(s, { series: true });
    // ∫ rate = 500·20 + 4500·(0.5 + 4 + 0.5) = 32,500 arrivals
    expect(Math.abs(r.requests.arrived / 32_500 - 1)).toBeLessThan(0.02);
    expect(r.series!.length).toBe(20);
    expect(r.series![7].rps).toBeGreaterThan(4000);
    expect(r.series![2].rps).toBeLessThan(800);
  });

  it('reports progress and can be cancelled', () => {
    const s = scenario({
      duration_s: 400,
      workload: { type: 'open', rate_rps: 1000 },
      server: { concurrency: 2 },
      handler: [{ cpu: exp(1) }],
    });
    const seen: number[] = [];
    simulate(s, { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen[seen.length - 1]).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    let polls = 0;
    expect(() => simulate(s, { shouldCancel: () => ++polls > 2 })).toThrow(SimCancelled);
  });
});

describe('every error cause, from a scenario built to cause it', () => {
  const base = { seed: 3, duration_s: 10, warmup_s: 1 } as const;
  const cases: [keyof SimResult['errors'], Partial<ScenarioInput>][] = [
    [
      'backlog_full',
      {
        workload: { type: 'open', rate_rps: 2000 },
        server: { concurrency: 1, backlog: 10 },
        handler: [{ cpu: exp(1) }],
      },
    ],
    [
      'client_timeout',
      {
        workload: { type: 'open', rate_rps: 1100, timeout_ms: 50 },
        server: { concurrency: 1 },
        handler: [{ cpu: exp(1) }],
      },
    ],
    [
      'pool_timeout',
      {
        workload: { type: 'open', rate_rps: 1000 },
        server: { concurrency: 50 },
        handler: [{ db: { query: exp(5), key: 'user' } }],
        db: { pool_size: 4, acquire_timeout_ms: 20, shards: 2 },
      },
    ],
    [
      'lock_timeout',
      {
        workload: { type: 'open', rate_rps: 500 },
        server: { concurrency: 100 },
        keyspace: { items: 3 },
        handler: [{ lock: { key: 'item', timeout_ms: 30, steps: [{ cpu: exp(5) }] } }],
      },
    ],
    [
      'service_full',
      {
        workload: { type: 'open', rate_rps: 500 },
        server: { concurrency: 100 },
        services: { push: { concurrency: 1, queue: 2 } },
        handler: [{ call: { service: 'push', time: exp(3) } }],
      },
    ],
    [
      'async_queue_full',
      {
        workload: { type: 'open', rate_rps: 2000 },
        server: { concurrency: 100 },
        handler: [{ cpu: exp(0.1) }, { enqueue: {} }],
        async: { queue_capacity: 10, when_full: 'reject', workers: 2, steps: [{ cpu: exp(2) }] },
      },
    ],
    [
      'instance_down',
      {
        workload: { type: 'open', rate_rps: 100 },
        server: { instances: 2, concurrency: 40 },
        gateway: { faults: [{ instance: 1, down_s: 3, up_s: 6 }] },
        handler: [{ cpu: { dist: 'const', ms: 500 } }],
      },
    ],
  ];
  for (const [cause, fields] of cases) {
    it(`${cause}`, () => {
      const r = simulate(scenario({ ...base, ...(fields as ScenarioInput) }));
      expectConserved(r);
      expect(r.errors[cause]).toBeGreaterThan(0);
      const others = Object.entries(r.errors).filter(([k, v]) => k !== cause && v > 0);
      expect(others).toEqual([]);
      expect(r.error_rate).toBeGreaterThan(0);
    });
  }

  it('a per-user lock over ten million users contends on the hot users only', () => {
    const s = (users: number) =>
      scenario({
        ...base,
        workload: { type: 'open', rate_rps: 2000 },
        keyspace: { users, user_zipf_s: 1.2 },
        server: { concurrency: 200 },
        handler: [{ lock: { key: 'user', timeout_ms: 20, steps: [{ cpu: exp(2) }] } }],
      });
    const big = simulate(s(10_000_000));
    expectConserved(big);
    expect(big.errors.lock_timeout).toBeGreaterThan(0);
    // the hottest user holds ~1/ζ(1.2)·2000 rps × 2 ms ≈ 73 % of the time
    expect(big.stations['lock[0]'].utilization).toBeGreaterThan(0.6);
    expect(big.stations['lock[0]'].utilization).toBeLessThanOrEqual(1);
    expect(big.saturated).toBeNull();
    // the same law over a keyspace small enough for a table per key gives the same picture
    const small = simulate(s(100_000));
    expect(small.stations['lock[0]'].utilization).toBeGreaterThan(0.6);
  });

  it('a lock served in random order keeps the M/M/1 mean and stretches the tail (PostgreSQL-like waiters)', () => {
    // one key, Poisson arrivals at 800/s, 1 ms holds on average: the lock is an M/M/1 queue
    const s = (order: 'fifo' | 'random') =>
      scenario({
        duration_s: 600,
        warmup_s: 20,
        workload: { type: 'open', rate_rps: 800 },
        keyspace: { items: 1 },
        server: { concurrency: 100_000 },
        handler: [{ lock: { key: 'item', order, steps: [{ cpu: exp(1) }] } }],
      });
    const fifo = simulate(s('fifo'));
    const random = simulate(s('random'));
    // the order of service does not change the mean (no size is known): 1/(μ−λ) = 5 ms
    expect(Math.abs(fifo.latency_ms.mean / 5 - 1)).toBeLessThan(0.05);
    expect(Math.abs(random.latency_ms.mean / fifo.latency_ms.mean - 1)).toBeLessThan(0.01);
    expect(random.stations['lock[0]'].utilization).toBeCloseTo(0.8, 1);
    // FIFO: the sojourn is exponential with rate μ−λ, so P99 = ln(100)·5 ms ≈ 23 ms
    expect(Math.abs(fifo.latency_ms.p99 / (Math.log(100) * 5) - 1)).toBeLessThan(0.1);
    // random order: some waiters are served at once, others wait much longer
    expect(random.latency_ms.p50).toBeLessThan(fifo.latency_ms.p50 * 0.9);
    expect(random.latency_ms.p99).toBeGreaterThan(fifo.latency_ms.p99 * 1.3);
  });

  it('a crash fails the requests in flight, and nginx max_fails ejects the dead instance', () => {
    const s = (max_fails: number) =>
      scenario({
        ...base,
        workload: { type: 'open', rate_rps: 100 },
        server: { instances: 2, concurrency: 40 },
        gateway: {
          balancer: 'round_robin',
          max_fails,
          fail_timeout_s: 30,
          faults: [{ instance: 1, down_s: 3, up_s: 6 }],
        },
        handler: [{ cpu: { dist: 'const', ms: 500 } }],
      });
    const plain = simulate(s(0));
    // failed after acceptance: the ~25 requests in the crashed instance's handlers
    expect(plain.requests.completed - plain.requests.ok).toBeGreaterThan(10);
    expect(plain.requests.rejected).toBeGreaterThan(100);
    const ejected = simulate(s(3));
    expect(ejected.requests.rejected).toBe(3);
  });

  it('async: block makes handlers wait like a Go channel send; the task delay shows the backlog', () => {
    const r = simulate(
      scenario({
        ...base,
        workload: { type: 'closed', connections: 50 },
        server: { concurrency: 100 },
        handler: [{ cpu: exp(0.1) }, { enqueue: {} }],
        async: { queue_capacity: 10, when_full: 'block', workers: 2, steps: [{ cpu: exp(2) }] },
      }),
      { series: true },
    );
    expectConserved(r);
    expect(r.errors.async_queue_full).toBe(0);
    expect(r.async!.throughput_rps).toBeCloseTo(1000, -2);
    expect(r.throughput_rps).toBeCloseTo(1000, -2);
    expect(r.async!.max_backlog).toBe(10);
    expect(r.async!.task_delay_ms.mean).toBeGreaterThan(10);
    expect(r.saturated).toBe('workers');
    expect(r.series!.some((p) => p.blocked > 30)).toBe(true);
    // Little's law on the queue: mean backlog = task rate × mean time queued
    expect(
      r.async!.mean_backlog /
        ((r.async!.throughput_rps / 1000) * r.stations.async_queue.mean_wait_ms),
    ).toBeCloseTo(1, 1);
  });

  it('async: with several instances the deepest channel is one instance’s, never their sum', () => {
    // Every instance's channel of 10 is full when the warm-up ends; the deepest is 10, not 40.
    const r = simulate(
      scenario({
        ...base,
        workload: { type: 'closed', connections: 200 },
        server: { instances: 4, concurrency: 100 },
        handler: [{ cpu: exp(0.1) }, { enqueue: {} }],
        async: { queue_capacity: 10, when_full: 'block', workers: 2, steps: [{ cpu: exp(2) }] },
      }),
    );
    expect(r.async!.max_backlog).toBe(10);
  });

  it('names the saturated station: the DB pool when queries outlast it', () => {
    const r = simulate(
      scenario({
        ...base,
        workload: { type: 'closed', connections: 200 },
        server: { concurrency: 64 },
        handler: [{ cpu: exp(0.2) }, { db: { query: exp(4), key: 'user' } }],
        db: { pool_size: 8, acquire_timeout_ms: 0, shards: 4, shard_concurrency: 8 },
      }),
    );
    expect(r.saturated).toBe('db_pool');
    expect(r.errors.pool_timeout).toBe(0);
    const idle = simulate(
      scenario({
        ...base,
        workload: { type: 'open', rate_rps: 10 },
        server: { concurrency: 8 },
        handler: [{ cpu: exp(1) }],
      }),
    );
    expect(idle.saturated).toBeNull();
  });

  it('names the workers, not a busy DB pool, when the workers are what cannot keep up', () => {
    // Handlers hold a pool of 4 for ~0.9 of its capacity; 2 workers can do 1,000 tasks/s and
    // get ~1,000/s offered, so the queue fills and stays full: the workers limit the pipeline.
    const r = simulate(
      scenario({
        ...base,
        workload: { type: 'closed', connections: 100 },
        server: { concurrency: 200 },
        handler: [{ db: { query: exp(3.7), key: 'user' } }, { enqueue: {} }],
        async: { queue_capacity: 100, when_full: 'block', workers: 2, steps: [{ cpu: exp(2) }] },
        db: { pool_size: 4, acquire_timeout_ms: 0, shards: 1, shard_concurrency: 64 },
      }),
    );
    expect(r.stations.workers.utilization).toBeGreaterThan(0.98);
    expect(r.stations.db_pool.utilization).toBeGreaterThan(0.9);
    expect(r.stations.db_pool.utilization).toBeLessThan(r.stations.workers.utilization - 0.02);
    expect(r.saturated).toBe('workers');
  });

  it('names what a short spike saturates even when the window average stays low', () => {
    const r = simulate(
      scenario({
        ...base,
        duration_s: 20,
        workload: {
          type: 'open',
          rate_rps: [
            [0, 200],
            [8, 200],
            [8.5, 3000],
            [10, 3000],
            [10.5, 200],
          ],
        },
        server: { concurrency: 2 },
        handler: [{ cpu: exp(1) }],
      }),
    );
    expect(r.stations.instances.utilization).toBeLessThan(0.5);
    expect(r.saturated).toBe('instances');
  });
});

describe('a single shard with a server for every pooled connection', () => {
  it('is busy exactly while a connection is, and never queues', () => {
    const s = scenario({
      duration_s: 5,
      warmup_s: 1,
      workload: { type: 'closed', connections: 40 },
      server: { instances: 2, concurrency: 64 },
      handler: [{ cpu: exp(0.5) }, { db: { key: 'user', query: exp(2) } }],
      db: { pool_size: 8, shards: 1, shard_concurrency: 16 },
    });
    const r = simulate(s);
    expectConserved(r);
    const pool = r.stations.db_pool;
    const shard = r.stations['shard[0]'];
    expect(pool.utilization).toBeGreaterThan(0.9);
    expect(shard.utilization * shard.servers).toBeCloseTo(pool.utilization * pool.servers, 9);
    expect(shard.mean_queue).toBe(0);
    expect(shard.mean_wait_ms).toBe(0);
  });
});

describe('async worker pools solved when a task is queued', () => {
  // Workers whose tasks only wait (cpu) and call a service nobody else uses form a queue of their
  // own: simulate() solves each task when it is queued. The general event-by-event path
  // (lazyAsync: false) must tell the same story — the same figures up to sampling noise, over
  // several seeds — in the regimes that matter: a queue that fills and blocks the handlers, one
  // that rejects, several instances and a warm-up.
  const pool = (over: Partial<ScenarioInput>) =>
    scenario({
      duration_s: 8,
      warmup_s: 1,
      workload: { type: 'closed', connections: 60, timeout_ms: 3000 },
      server: { instances: 2, concurrency: 64 },
      handler: [{ cpu: exp(1) }, { enqueue: {} }],
      async: {
        queue_capacity: 40,
        when_full: 'block',
        workers: 3,
        steps: [{ cpu: exp(0.3) }, { call: { service: 'broker', time: exp(0.9) } }],
      },
      services: { broker: { concurrency: 100 } },
      ...over,
    });
  const figures = (r: SimResult) => ({
    throughput: r.throughput_rps,
    latency: r.latency_ms.mean,
    tasks: r.async!.throughput_rps,
    rejected: r.async!.rejected / r.duration_s,
    backlog: r.async!.mean_backlog,
    task_delay: r.async!.task_delay_ms.mean,
    workers: r.stations.workers.utilization,
    worker_wait: r.stations.workers.mean_wait_ms,
    broker: r.stations['service:broker'].utilization,
  });
  const averaged = (s: ReturnType<typeof pool>, lazyAsync: boolean) => {
    const sum: Record<string, number> = {};
    for (let seed = 1; seed <= 6; seed++) {
      const r = simulate(s, { seed, lazyAsync, series: true });
      expectConserved(r);
      for (const [k, v] of Object.entries(figures(r))) sum[k] = (sum[k] ?? 0) + v / 6;
    }
    return sum;
  };
  const expectSameStory = (s: ReturnType<typeof pool>) => {
    const solved = averaged(s, true);
    const stepped = averaged(s, false);
    // rates and utilisations agree within 3 %; queue lengths and waits are noisier (10 %)
    const noisy = ['rejected', 'backlog', 'task_delay', 'worker_wait'];
    for (const k of Object.keys(stepped)) {
      const tol = (noisy.includes(k) ? 0.1 : 0.03) * Math.max(Math.abs(stepped[k]), 1e-3) + 1e-6;
      expect(Math.abs(solved[k] - stepped[k]), `${k}: ${solved[k]} vs ${stepped[k]}`).toBeLessThan(
        tol,
      );
    }
    return solved;
  };

  it('blocks the handlers when the queue is full, as the event-by-event path does', () => {
    const s = pool({});
    const story = expectSameStory(s);
    expect(story.workers).toBeGreaterThan(0.99); // 2 × 3 workers at 1.2 ms a task cap ~5,000 tasks/s
    expect(story.backlog).toBeGreaterThan(30);
    const r = simulate(s, { series: true });
    expect(r.series!.some((p) => p.blocked > 0 && p.async_backlog >= 70)).toBe(true);
    expect(r.events).toBeLessThan(simulate(s, { lazyAsync: false }).events);
  });

  it('rejects when full, as the event-by-event path does', () => {
    const story = expectSameStory(pool({ async: { ...pool({}).async!, when_full: 'reject' } }));
    expect(story.rejected).toBeGreaterThan(100);
  });

  it('keeps up below capacity, as the event-by-event path does', () => {
    const story = expectSameStory(pool({ workload: { type: 'closed', connections: 2 } }));
    expect(story.workers).toBeLessThan(0.5);
  });

  it('lets as many blocked senders in as tasks start at one instant (constant times)', () => {
    // two workers in lockstep start two queued tasks at the same instant: two senders get in
    const s = pool({
      server: { instances: 1, concurrency: 64 },
      handler: [{ cpu: { dist: 'const', ms: 0.1 } }, { enqueue: {} }],
      async: {
        queue_capacity: 4,
        when_full: 'block',
        workers: 2,
        steps: [{ call: { service: 'broker', time: { dist: 'const', ms: 2 } } }],
      },
    });
    const solved = simulate(s);
    const stepped = simulate(s, { lazyAsync: false });
    expect(solved.async!.throughput_rps).toBeCloseTo(1000, -1); // 2 workers × 1 task / 2 ms
    expect(solved.async!.throughput_rps).toBeCloseTo(stepped.async!.throughput_rps, 0);
    expect(solved.throughput_rps).toBeCloseTo(stepped.throughput_rps, 0);
    // every sender waits its turn: 60 connections through 1,000 tasks/s is 60 ms, for all of them
    expect(stepped.latency_ms.p50).toBeCloseTo(60, 0);
    expect(solved.latency_ms.p50).toBeCloseTo(stepped.latency_ms.p50, 0);
    expect(solved.latency_ms.p99).toBeCloseTo(stepped.latency_ms.p99, 0);
    expect(solved.async!.mean_backlog).toBeCloseTo(stepped.async!.mean_backlog, 1);
    expect(solved.stations.workers.mean_wait_ms).toBeCloseTo(
      stepped.stations.workers.mean_wait_ms,
      1,
    );
  });

  it('takes the general path when a task touches anything shared (a DB step)', () => {
    const s = pool({
      async: { ...pool({}).async!, steps: [{ db: { key: 'user', query: exp(0.5) } }] },
      db: { pool_size: 4 },
    });
    expect(withoutWall(simulate(s, { lazyAsync: true }))).toBe(
      withoutWall(simulate(s, { lazyAsync: false })),
    );
  });
});

describe('random valid scenarios (property-based)', () => {
  it('never throw, conserve requests and repeat exactly', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const a = simulate(s, { series: true });
        expectConserved(a);
        expect(Number.isFinite(a.latency_ms.mean)).toBe(true);
        for (const st of Object.values(a.stations)) {
          expect(st.utilization).toBeGreaterThanOrEqual(0);
          expect(st.utilization).toBeLessThanOrEqual(1 + 1e-9);
          expect(st.mean_queue).toBeGreaterThanOrEqual(-1e-9);
        }
        expect(withoutWall(simulate(s, { series: true }))).toBe(withoutWall(a));
        expectConserved(simulate(s, { lazyAsync: false }));
      }),
      { numRuns: 60, seed: 20251124 },
    );
  }, 60_000);
});
