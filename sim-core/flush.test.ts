// The commit flush (db.commit_flush): a transaction's COMMIT waits for its shard's flush, one flush
// at a time, and each flush covers every commit that waited for it (group commit). Each story
// checks the engine against exact arithmetic or against the renewal argument below.
import { describe, expect, it } from 'vitest';
import { simulate } from './simulate';
import { exp, scenario } from './testkit';
import { validateScenario } from './validate';
import type { Dist, Query, ScenarioInput } from './schema';

type Step = ScenarioInput['handler'][number];

const rel = (a: number, b: number) => Math.abs(a / b - 1);
const konst = (ms: number) => ({ dist: 'const' as const, ms });

/** N closed clients; each request one transaction of `steps` whose commit flushes for `flush`. */
function closed(N: number, flush: Query, steps: Step[], extra: Partial<ScenarioInput> = {}) {
  return scenario({
    duration_s: 20,
    warmup_s: 1,
    workload: { type: 'closed', connections: N },
    server: { concurrency: 1000 },
    handler: [{ transaction: { key: 'user', steps } }],
    db: { pool_size: 1000, acquire_timeout_ms: 0, shard_concurrency: 1000, commit_flush: flush },
    ...extra,
  });
}

/** Open Poisson arrivals at `rps`; each request a transaction of nothing but its commit flush. */
function open(flush: Dist, rps = 1000, shards = 1) {
  return scenario({
    duration_s: 400,
    warmup_s: 10,
    workload: { type: 'open', rate_rps: rps },
    server: { concurrency: 100_000 },
    handler: [{ transaction: { key: 'user', steps: [{ db: { query: konst(0) } }] } }],
    db: {
      pool_size: 100_000,
      acquire_timeout_ms: 0,
      shards,
      shard_concurrency: 100_000,
      commit_flush: flush,
    },
  });
}

describe('the commit flush (group commit)', () => {
  it('one client pays one flush a transaction', () => {
    const r = simulate(closed(1, konst(1), [{ db: { query: konst(0.5) } }]));
    expect(r.latency_ms.mean).toBeCloseTo(1.5, 6);
    expect(rel(r.throughput_rps, 1000 / 1.5)).toBeLessThan(0.001);
    expect(r.stations.flush.kind).toBe('service');
  });

  it('one flush covers every commit that waited: four clients, two commits a flush', () => {
    // nothing but the flush. At 0 all four commit: A's flush starts, B, C and D wait. At 1 the
    // next flush starts for B, C and D together, and A, back at once, waits for the one after:
    // the groups {A} and {B, C, D} alternate, 4 commits every 2 ms, each waiting 1 ms first
    const r = simulate(closed(4, konst(1), [{ db: { query: konst(0) } }]));
    expect(rel(r.throughput_rps, 2000)).toBeLessThan(0.001);
    expect(r.latency_ms.mean).toBeCloseTo(2, 6);
    expect(r.stations.flush.utilization).toBeCloseTo(1, 6);
    expect(r.stations.flush.mean_wait_ms).toBeCloseTo(1, 6);
    // one flush at a time, one commit each, would do 1,000/s at a mean of 4 ms
  });

  it('a commit that finds a flush in progress waits for the next: two clients alternate', () => {
    // A flushes 0.5–1.5, B (waiting since 0.5) 1.5–2.5, A again (back at 2.0) 2.5–3.5, …: each
    // commit waits 0.5 ms, the flush never idles, one commit a millisecond
    const r = simulate(closed(2, konst(1), [{ db: { query: konst(0.5) } }]));
    expect(rel(r.throughput_rps, 1000)).toBeLessThan(0.001);
    expect(r.latency_ms.mean).toBeCloseTo(2, 6);
    expect(r.stations.flush.mean_wait_ms).toBeCloseTo(0.5, 6);
    // as a delay each transaction paid on its own, the two would do 1,333/s at 1.5 ms
  });

  it('open arrivals: the mean matches the renewal argument, at a rate one-at-a-time flushing could not serve', () => {
    // Poisson arrivals λ, flushes of mean m. A commit waits for the flush in progress (its
    // residual E[F²]/2E[F]) with the probability b that one is in progress, then takes its own.
    // A busy period is flushes until one sees no arrival (P = E[e^{−λF}]): by Wald, mean
    // m / E[e^{−λF}], against idle periods of 1/λ. λ = 1/ms, m = 1 ms: ρ = 1 for one-at-a-time.
    // exponential: E[e^{−λF}] = 1/2, residual 1 ms ⇒ b = 2/3, mean 1 + 2/3
    const e = simulate(open(exp(1)));
    expect(rel(e.latency_ms.mean, 5 / 3)).toBeLessThan(0.02);
    expect(rel(e.stations.flush.utilization, 2 / 3)).toBeLessThan(0.02);
    // constant: E[e^{−λF}] = 1/e, residual 0.5 ms ⇒ b = e/(e+1), mean 1 + b/2
    const c = simulate(open(konst(1)));
    const b = Math.E / (Math.E + 1);
    expect(rel(c.latency_ms.mean, 1 + b / 2)).toBeLessThan(0.02);
    expect(rel(c.stations.flush.utilization, b)).toBeLessThan(0.02);
    expect(e.error_rate).toBe(0);
  });

  it("holds a transaction's locks until its flush ends", () => {
    // two clients on one item: each holds the row lock through its query (1 ms) and its flush
    // (1 ms), so the transactions run one after the other, 500/s
    const steps: Step[] = [{ lock: { key: 'item', steps: [{ db: { query: konst(1) } }] } }];
    const keyspace = { users: 1000, items: 1 };
    const r = simulate(closed(2, konst(1), steps, { keyspace }));
    expect(rel(r.throughput_rps, 500)).toBeLessThan(0.001);
    expect(r.latency_ms.mean).toBeCloseTo(4, 6);
    // lock timeouts unwind through the flush without leaking a lock: the holder goes on at 500/s
    const waiting: Step[] = [
      { lock: { key: 'item', timeout_ms: 0.5, steps: [{ db: { query: konst(1) } }] } },
    ];
    const t = simulate(closed(8, konst(1), waiting, { keyspace }));
    expect(t.errors.lock_timeout).toBeGreaterThan(0);
    expect(rel(t.throughput_rps, 500)).toBeLessThan(0.01);
  });

  it('flushes each shard on its own: four shards at 4,000/s flush as one shard at 1,000/s', () => {
    // requests split uniformly over 4 shards: each shard's commits are Poisson at 1/ms (above)
    const r = simulate(open(exp(1), 4000, 4));
    const flushes = Object.keys(r.stations).filter((n) => n.startsWith('flush['));
    expect(flushes).toHaveLength(4);
    expect(rel(r.latency_ms.mean, 5 / 3)).toBeLessThan(0.02);
    for (const n of flushes) expect(rel(r.stations[n].utilization, 2 / 3)).toBeLessThan(0.03);
  });

  it("split into the disk's part and CPU on the shard's host, a busy machine stretches it", () => {
    // 0.5 ms of disk, then 0.5 ms of CPU: alone on its core, 1 ms
    const flush = { wait: konst(0.5), cpu: konst(0.5) };
    const steps: Step[] = [{ db: { query: konst(0) } }];
    const db = { pool_size: 10, acquire_timeout_ms: 0, host: 'db', commit_flush: flush };
    const alone = simulate(closed(1, flush, steps, { hosts: { db: { cores: 1 } }, db }));
    expect(alone.latency_ms.mean).toBeCloseTo(1, 6);
    expect(alone.stations['host:db'].utilization).toBeCloseTo(0.5, 3);
    // one thread of other work on the core: the CPU part runs at half speed, 0.5 + 1 ms
    const busy = { db: { cores: 1, background: 1 } };
    expect(simulate(closed(1, flush, steps, { hosts: busy, db })).latency_ms.mean).toBeCloseTo(
      1.5,
      6,
    );
    // without a host for the shards the two parts are simply added
    expect(simulate(closed(1, flush, steps)).latency_ms.mean).toBeCloseTo(1, 6);
  });

  it('a stalled flush (db.commit_stalls) is rare, long, and every commit waiting for it waits it out', () => {
    // one client: 0.5 ms of query, a 1 ms flush, and 2 % of flushes 20 ms longer: the mean is
    // 1.5 + 0.02 × 20 = 1.9 ms, the median 1.5, and the 2 % stalled take 21.5 (the P99)
    const stalls = { per_flush: 0.02, length: konst(20) };
    const steps: Step[] = [{ db: { query: konst(0.5) } }];
    const base = closed(1, konst(1), steps);
    const one = simulate({ ...base, duration_s: 200, db: { ...base.db!, commit_stalls: stalls } });
    expect(rel(one.latency_ms.mean, 1.9)).toBeLessThan(0.03);
    expect(one.latency_ms.p50).toBeCloseTo(1.5, 1);
    expect(one.latency_ms.p99).toBeCloseTo(21.5, 0);
    expect(rel(one.throughput_rps, 1000 / 1.9)).toBeLessThan(0.03);
    // four clients: a stall holds back the commits that queue behind it as well, so far more
    // than 2 % of transactions wait it out — the P99 is a stall's length, not a flush's
    const four = closed(4, konst(1), steps);
    const r = simulate({ ...four, duration_s: 200, db: { ...four.db!, commit_stalls: stalls } });
    const plain = simulate(four);
    expect(plain.latency_ms.p99).toBeLessThan(3);
    expect(r.latency_ms.p99).toBeGreaterThan(15);
    expect(r.throughput_rps).toBeLessThan(plain.throughput_rps * 0.9);
  });

  it('is named when nothing commits', () => {
    const problems = validateScenario({
      ...closed(1, konst(1), [{ cpu: konst(1) }]),
      handler: [{ db: { query: konst(1) } }],
    });
    const text = problems.ok ? [] : problems.problems.map((p) => `${p.path}: ${p.message}`);
    expect(text).toContain(
      'db.commit_flush: only a transaction commits: commit_flush needs a transaction step',
    );
  });

  it('names what is wrong with the stalls', () => {
    const base = closed(1, konst(1), [{ db: { query: konst(0.5) } }]);
    const messages = (db: Record<string, unknown>) => {
      const v = validateScenario({ ...base, db: { ...base.db!, ...db } } as ScenarioInput);
      return v.ok ? [] : v.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(messages({ commit_stalls: { per_flush: 1, length: konst(5) } })).toContain(
      'db.commit_stalls.per_flush: per_flush must be < 1 (got 1)',
    );
    expect(messages({ commit_stalls: { per_flush: 0, length: konst(5) } })).toContain(
      'db.commit_stalls.per_flush: per_flush must be > 0 (got 0)',
    );
    expect(
      messages({ commit_flush: undefined, commit_stalls: { per_flush: 0.01, length: konst(5) } }),
    ).toContain(
      'db.commit_stalls: a stall lengthens a commit flush: commit_stalls needs db.commit_flush',
    );
    expect(messages({ commit_stalls: { per_flush: 0.01, length: konst(5) } })).toEqual([]);
  });
});
