// The machine in the model: cores shared by processor sharing, a USL slowdown, background load and
// a co-located client; DB queries split into CPU and waiting; transactions that hold a connection.
// Each story checks the engine against queueing theory or against exact arithmetic.
import { describe, expect, it } from 'vitest';
import { ldMva, mmc, usl } from './theory';
import { PsMachine } from './ps';
import { simulate } from './simulate';
import { exp, scenario } from './testkit';
import { validateScenario } from './validate';
import type { Dist, ScenarioInput } from './schema';

const rel = (a: number, b: number) => Math.abs(a / b - 1);
const konst = (ms: number) => ({ dist: 'const' as const, ms });
/** A validation's problems as `path: message` lines (none when it passed). */
const messages = (r: ReturnType<typeof validateScenario>) =>
  r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);

/** An open workload at `rps` onto one instance whose cpu step runs on a host of `cores`. */
function openOnHost(rps: number, cpu: Dist, cores: number, extra: Partial<ScenarioInput> = {}) {
  return scenario({
    duration_s: 300,
    warmup_s: 20,
    workload: { type: 'open', rate_rps: rps },
    hosts: { app: { cores } },
    server: { concurrency: 100_000, host: 'app' },
    handler: [{ cpu }],
    ...extra,
  });
}

/** A closed loop of N connections whose only step is a query on a DB host with a USL slowdown. */
function closedUsl(N: number, sigma: number, kappa: number, think_ms = 0, cores = 4096) {
  return scenario({
    duration_s: 60,
    warmup_s: 3,
    workload: { type: 'closed', connections: N, think_ms },
    hosts: { db: { cores, usl: { sigma, kappa } } },
    server: { concurrency: 100_000 },
    handler: [{ db: { query: { cpu: exp(2) } } }],
    db: { pool_size: 100_000, acquire_timeout_ms: 0, shard_concurrency: 100_000, host: 'db' },
  });
}

describe('processor sharing on a host', () => {
  it('M/M/1-PS: the mean response is 1/(μ−λ), and the host is busy ρ of the time', () => {
    const r = simulate(openOnHost(800, exp(1), 1));
    expect(rel(r.latency_ms.mean, 1 / (1 - 0.8))).toBeLessThan(0.04);
    const host = r.stations['host:instances'];
    expect(host.kind).toBe('host');
    expect(host.utilization).toBeCloseTo(0.8, 2);
    // the wait of a PS stint is its slowdown: response − demand = 5 − 1 ms
    expect(rel(host.mean_wait_ms, 4)).toBeLessThan(0.05);
    expect(r.saturated).toBeNull();
  });

  it('M/G/1-PS is insensitive: constant and lognormal demands of the same mean give the same mean', () => {
    const expected = 1 / (1 - 0.8);
    const constant = simulate(openOnHost(800, konst(1), 1));
    const heavy = simulate(openOnHost(800, { dist: 'lognormal', mean_ms: 1, sigma: 1.2 }, 1));
    expect(rel(constant.latency_ms.mean, expected)).toBeLessThan(0.04);
    expect(rel(heavy.latency_ms.mean, expected)).toBeLessThan(0.06);
    // FCFS would differ by a factor (1 + cv²)/2: here the tails differ but the means do not
    expect(heavy.latency_ms.p99).not.toBeCloseTo(constant.latency_ms.p99, 0);
  });

  it('c cores shared by PS hold as many jobs as M/M/c: the same mean response', () => {
    // λ = 3.4 per ms, demand 1 ms, 4 cores: ρ = 0.85
    const r = simulate(openOnHost(3400, exp(1), 4));
    const theory = mmc(3.4, 1, 4);
    expect(rel(r.latency_ms.mean, theory.response)).toBeLessThan(0.05);
    expect(r.stations['host:instances'].utilization).toBeCloseTo(0.85, 2);
    // jobs beyond the cores are runnable without a core: the host's queue
    expect(rel(r.stations['host:instances'].mean_queue, theory.queue)).toBeLessThan(0.08);
  });

  it('a closed loop through a 2-core PS host matches exact load-dependent MVA', () => {
    const N = 10;
    const s = scenario({
      duration_s: 120,
      warmup_s: 5,
      workload: { type: 'closed', connections: N, think_ms: 5 },
      hosts: { app: { cores: 2 } },
      server: { concurrency: 100_000, host: 'app' },
      handler: [{ cpu: exp(2) }],
    });
    const r = simulate(s);
    const m = ldMva(N, 5, [{ demand: 2, alpha: (j) => Math.min(j, 2) }]);
    expect(rel(r.throughput_rps, m.throughput * 1000)).toBeLessThan(0.03);
    expect(rel(r.latency_ms.mean, m.response)).toBeLessThan(0.04);
  });

  it('background load takes its share of the cores: 3 always-busy threads on 2 cores halve a lone job', () => {
    const s = scenario({
      duration_s: 10,
      workload: { type: 'closed', connections: 1 },
      hosts: { app: { cores: 2, background: 3 } },
      server: { concurrency: 10, host: 'app' },
      handler: [{ cpu: konst(1) }],
    });
    const r = simulate(s);
    // one job and three background threads share 2 cores: each runs at 2/4 of a core
    expect(r.latency_ms.mean).toBeCloseTo(2, 2);
    expect(r.stations['host:instances'].utilization).toBeCloseTo(0.25, 2);
  });

  it('a load generator on the DB host takes CPU from the DB between its requests', () => {
    const base = {
      duration_s: 30,
      warmup_s: 1,
      workload: { type: 'closed' as const, connections: 4 },
      server: { concurrency: 100 },
      handler: [{ db: { query: { cpu: konst(1) } } }],
      db: { pool_size: 100, shard_concurrency: 100, host: 'db' },
    };
    const alone = simulate(scenario({ ...base, hosts: { db: { cores: 1 } } }));
    const shared = simulate(
      scenario({ ...base, hosts: { db: { cores: 1, client: { cpu: konst(0.5) } } } }),
    );
    // one core: 1 ms of DB work plus 0.5 ms of client work per request ⇒ 1 / 1.5 ms
    expect(alone.throughput_rps).toBeCloseTo(1000, -1);
    expect(rel(shared.throughput_rps, 1000 / 1.5)).toBeLessThan(0.01);
    // the core never idles: the DB's queries and the client's bursts take turns on it
    expect(shared.stations['host:db'].utilization).toBeCloseTo(1, 3);
  });

  it('a load generator that times its own work (pgbench) counts its CPU in the latency, not its think time', () => {
    const one = (client: { cpu: Dist; in_latency?: boolean }, think_ms = 0) =>
      simulate(
        scenario({
          duration_s: 30,
          warmup_s: 1,
          workload: { type: 'closed', connections: 1, think_ms },
          server: { concurrency: 100 },
          handler: [{ db: { query: { cpu: konst(1) } } }],
          db: { pool_size: 100, shard_concurrency: 100, host: 'db' },
          hosts: { db: { cores: 1, client } },
        }),
      );
    // one client: 0.5 ms of its own work, then 1 ms of the DB's, one after the other
    const untimed = one({ cpu: konst(0.5) });
    const timed = one({ cpu: konst(0.5), in_latency: true });
    expect(rel(untimed.throughput_rps, 1000 / 1.5)).toBeLessThan(0.01);
    expect(rel(timed.throughput_rps, 1000 / 1.5)).toBeLessThan(0.01);
    expect(untimed.latency_ms.mean).toBeCloseTo(1, 6);
    expect(timed.latency_ms.mean).toBeCloseTo(1.5, 6);
    // so latency × throughput is the whole cycle, as pgbench reports it
    expect(rel(timed.latency_ms.mean * timed.throughput_rps, 1000)).toBeLessThan(0.01);
    // a think time of 2 ms after the work is the client's, not the request's
    const thinking = one({ cpu: konst(0.5), in_latency: true }, 2);
    expect(rel(thinking.throughput_rps, 1000 / 3.5)).toBeLessThan(0.01);
    expect(thinking.latency_ms.mean).toBeCloseTo(1.5, 6);
  });

  it('an open workload cannot count the generator in latency: the error names the field', () => {
    const problems = validateScenario({
      schema: 'peakline.scenario/v1',
      name: 'pgbench beside an open workload',
      duration_s: 1,
      workload: { type: 'open', rate_rps: 100 },
      server: { concurrency: 1 },
      handler: [{ db: { query: { cpu: konst(1) } } }],
      db: { pool_size: 1, host: 'db' },
      hosts: { db: { cores: 1, client: { cpu: konst(0.5), in_latency: true } } },
    });
    expect(problems.ok).toBe(false);
    const text = messages(problems);
    expect(text).toEqual([
      'hosts.db.client.in_latency: the load generator times its own work only in a closed workload (an open one sends at each arrival, its CPU beside the request)',
    ]);
  });
});

describe('contention and coherency (USL)', () => {
  const sigma = 0.05;
  const kappa = 0.002;

  it.each([1, 4, 16, 64])(
    'a closed loop of %i clients at one USL host runs at X(N) = N·X(1) / (1 + σ(N−1) + κN(N−1))',
    (N) => {
      const r = simulate(closedUsl(N, sigma, kappa));
      expect(rel(r.throughput_rps, usl(N, 500, sigma, kappa))).toBeLessThan(0.02);
      // Little, no think time: mean = N / X
      expect(rel(r.latency_ms.mean, (1000 * N) / r.throughput_rps)).toBeLessThan(0.01);
    },
  );

  it('throughput peaks near N* = √((1−σ)/κ) and falls past it', () => {
    const peak = Math.sqrt((1 - sigma) / kappa); // ≈ 21.8
    const at = (N: number) => simulate(closedUsl(N, sigma, kappa)).throughput_rps;
    const x8 = at(8);
    const x22 = at(Math.round(peak));
    const x64 = at(64);
    expect(x22).toBeGreaterThan(x8);
    expect(x22).toBeGreaterThan(x64 * 1.15);
  });

  it('with think time and a core limit, it matches exact load-dependent MVA', () => {
    const N = 24;
    const r = simulate(closedUsl(N, sigma, kappa, 10, 8));
    const alpha = (j: number) => Math.min(j, 8) / (1 + sigma * (j - 1) + kappa * j * (j - 1));
    const m = ldMva(N, 10, [{ demand: 2, alpha }]);
    expect(rel(r.throughput_rps, m.throughput * 1000)).toBeLessThan(0.03);
    expect(rel(r.latency_ms.mean, m.response)).toBeLessThan(0.05);
  });
});

describe('cores that slow each other (core_speedup)', () => {
  /** A closed loop of N clients, each a 1 ms cpu step, on a host of `cores` whose cores together do `speedup`× one. */
  const closedCores = (N: number, cores: number, speedup: number | undefined, think_ms = 0) =>
    scenario({
      duration_s: 30,
      warmup_s: 2,
      workload: { type: 'closed', connections: N, think_ms },
      hosts: { app: { cores, ...(speedup !== undefined ? { core_speedup: speedup } : {}) } },
      server: { concurrency: 100_000, host: 'app' },
      handler: [{ cpu: konst(1) }],
    });

  it("a lone job runs at a lone core's speed: 1 ms of CPU takes 1 ms", () => {
    const r = simulate(closedCores(1, 2, 1.25));
    expect(r.latency_ms.mean).toBeCloseTo(1, 3);
    expect(r.throughput_rps).toBeCloseTo(1000, -1);
  });

  it('all cores busy do core_speedup × the work of one: 8 CPU-bound clients on 2 cores that do 1.25× one make 1,250/s', () => {
    expect(rel(simulate(closedCores(8, 2, 1.25)).throughput_rps, 1250)).toBeLessThan(0.005);
    // without it the 2 cores do twice one core's work
    expect(rel(simulate(closedCores(8, 2, undefined)).throughput_rps, 2000)).toBeLessThan(0.005);
  });

  it('with k of 4 cores busy each runs at 1 / (1 + h(k−1)): two clients on 4 cores that together do 2× one', () => {
    // h = (4/2 − 1)/3 = 1/3: two busy cores each at 1/(1 + 1/3) = 0.75 of a lone core
    expect(rel(simulate(closedCores(2, 4, 2)).throughput_rps, 1500)).toBeLessThan(0.005);
  });

  it('with think time it matches exact load-dependent MVA', () => {
    const cores = 4;
    const S = 2.5;
    const h = (cores / S - 1) / (cores - 1);
    const N = 12;
    const think = 3;
    const r = simulate(
      scenario({
        duration_s: 200,
        warmup_s: 10,
        workload: { type: 'closed', connections: N, think_ms: think },
        hosts: { app: { cores, core_speedup: S } },
        server: { concurrency: 100_000, host: 'app' },
        handler: [{ cpu: exp(1) }],
      }),
    );
    const alpha = (j: number) => {
      const k = Math.min(j, cores);
      return k / (1 + h * (k - 1));
    };
    const m = ldMva(N, think, [{ demand: 1, alpha }]);
    expect(rel(r.throughput_rps, m.throughput * 1000)).toBeLessThan(0.03);
    expect(rel(r.latency_ms.mean, m.response)).toBeLessThan(0.05);
  });

  it('is validated: at least 1 and at most the cores, named by its path', () => {
    const bad = (core_speedup: number) =>
      messages(
        validateScenario({
          ...closedCores(1, 2, undefined),
          hosts: { app: { cores: 2, core_speedup } },
        }),
      );
    expect(bad(2.5)).toEqual([
      'hosts.app.core_speedup: must be <= cores (all cores together do at most cores times the work of one)',
    ]);
    expect(bad(0.5).join('\n')).toMatch(/^hosts\.app\.core_speedup: /);
    expect(bad(1.5)).toEqual([]);
  });
});

describe('waking an idle core (host.wake)', () => {
  /** N clients, each a 1 ms cpu step then `think` ms off the CPU, on 2 cores that wake as given. */
  const closedWake = (N: number, think: number, wake?: { ms: number; after_idle_ms?: number }) =>
    scenario({
      duration_s: 30,
      warmup_s: 2,
      workload: { type: 'closed', connections: N, think_ms: think },
      hosts: { app: { cores: 2, ...(wake && { wake }) } },
      server: { concurrency: 100_000, host: 'app' },
      handler: [{ cpu: konst(1) }],
    });

  it('a lone client never waits for a wake: its work runs on the core of what woke it', () => {
    const plain = simulate(closedWake(1, 1));
    const woken = simulate(closedWake(1, 1, { ms: 0.5 }));
    expect(woken.throughput_rps).toBe(plain.throughput_rps);
    expect(woken.latency_ms).toEqual(plain.latency_ms);
    expect(woken.latency_ms.mean).toBeCloseTo(1, 6);
  });

  it('two clients whose work overlaps pay it each time one starts while the other runs', () => {
    // 1 ms of CPU, 0.5 ms off it: the two overlap on the two cores; without a wake 2/1.5 ms
    const plain = simulate(closedWake(2, 0.5));
    expect(plain.throughput_rps).toBeCloseTo(2000 / 1.5, 6);
    expect(plain.stations['host:instances'].mean_wait_ms).toBe(0);
    // with a wake of 0.25 ms every request starts while the other runs, the free core idle
    // since the other's last request ended: each waits 0.25 ms, 2/1.75 ms
    const woken = simulate(closedWake(2, 0.5, { ms: 0.25 }));
    expect(woken.latency_ms.mean).toBeCloseTo(1.25, 6);
    expect(woken.latency_ms.max).toBeCloseTo(1.25, 6);
    expect(woken.throughput_rps).toBeCloseTo(2000 / 1.75, 1);
    // the wait shows as the host's: a stint's slowdown, and a job waiting without a core
    expect(woken.stations['host:instances'].mean_wait_ms).toBeCloseTo(0.25, 6);
    expect(woken.stations['host:instances'].mean_queue).toBeCloseTo(0.25 / 0.875, 3);
  });

  it('a saturated host loses nothing: 8 CPU-bound clients on 2 cores make 2,000/s with or without it', () => {
    expect(rel(simulate(closedWake(8, 0, { ms: 0.5 })).throughput_rps, 2000)).toBeLessThan(0.002);
  });

  it('a core that idled less than after_idle_ms wakes at once', () => {
    const plain = simulate(closedWake(2, 0.5));
    // the free core idles 0.5 ms between the other's requests: with 0.6 ms it is still awake
    const awake = simulate(closedWake(2, 0.5, { ms: 0.25, after_idle_ms: 0.6 }));
    const asleep = simulate(closedWake(2, 0.5, { ms: 0.25, after_idle_ms: 0.4 }));
    expect(rel(awake.throughput_rps, plain.throughput_rps)).toBeLessThan(0.001);
    expect(asleep.throughput_rps).toBeCloseTo(2000 / 1.75, 1);
  });

  it('the machine defers a start until its core is awake, first come first started', () => {
    const m = new PsMachine(2, 0, 0, 0, 2, 0.5, 0);
    expect(m.wakeDelay(0)).toBe(0); // an idle machine: the waker's core
    m.add(0, 1, 10);
    expect(m.wakeDelay(0.1)).toBe(0.5); // the other core has been idle all along
    m.defer(0.6, 2);
    expect(m.wakeDelay(0.2)).toBe(0); // one running, one waking: no core is free
    expect(m.nextTime()).toBe(0.6);
    expect(m.admit(0.5)).toBe(-1);
    expect(m.admit(0.6)).toBe(2);
    m.add(0.6, 2, 1);
    expect(m.n).toBe(2);
    expect(m.nextTime()).toBeCloseTo(1.6, 9); // the deferred job's 1 ms, on its own core
    m.pop(1.6);
    expect(m.wakeDelay(1.6)).toBe(0); // the core that just went idle is still awake
    expect(m.wakeDelay(1.7)).toBe(0.5);
  });

  it('is validated: a wake takes some time, an idle time is not negative, named by its path', () => {
    const bad = (wake: unknown) =>
      messages(
        validateScenario({
          ...closedWake(1, 0),
          hosts: { app: { cores: 2, wake } },
        } as ScenarioInput),
      );
    expect(bad({ ms: 0 }).join('\n')).toMatch(/^hosts\.app\.wake\.ms: /);
    expect(bad({ ms: 0.05, after_idle_ms: -1 })).toEqual([
      'hosts.app.wake.after_idle_ms: must be >= 0 (got -1)',
    ]);
    expect(bad({ ms: 0.05, after: 1 }).join('\n')).toMatch(/^hosts\.app\.wake/);
    expect(bad({ ms: 0.05 })).toEqual([]);
  });
});

describe('a machine that idles runs its next stint cold (host.cold_start_ms)', () => {
  /** N clients, each `cpus` cpu steps of 1 ms then 1 ms off the CPU, on 2 cores. */
  const closedCold = (N: number, cold?: number, cpus = 1) =>
    scenario({
      duration_s: 30,
      warmup_s: 2,
      workload: { type: 'closed', connections: N, think_ms: 1 },
      hosts: { app: { cores: 2, ...(cold !== undefined && { cold_start_ms: cold }) } },
      server: { concurrency: 100_000, host: 'app' },
      handler: Array.from({ length: cpus }, () => ({ cpu: konst(1) })),
    });

  it('a lone client pays it on every request: the machine sat idle while it thought', () => {
    const plain = simulate(closedCold(1));
    expect(plain.latency_ms.mean).toBeCloseTo(1, 6);
    const cold = simulate(closedCold(1, 0.5));
    // 1.5 ms of CPU, then 1 ms of thinking: 400 a second, and the host busy 1.5 ms a request
    expect(cold.latency_ms.mean).toBeCloseTo(1.5, 6);
    expect(cold.throughput_rps).toBeCloseTo(400, 0);
    const host = cold.stations['host:instances'];
    expect(((host.utilization * host.servers) / cold.throughput_rps) * 1000).toBeCloseTo(1.5, 2);
  });

  it('a stint woken straight by the one before it starts warm', () => {
    // two cpu steps back to back: only the first follows the idle time
    const cold = simulate(closedCold(1, 0.5, 2));
    expect(cold.latency_ms.mean).toBeCloseTo(2.5, 6);
  });

  it('a busy machine never pays it: 8 CPU-bound clients on 2 cores make 2,000/s with or without it', () => {
    const busy = (cold?: number) =>
      scenario({
        duration_s: 30,
        warmup_s: 2,
        workload: { type: 'closed', connections: 8 },
        hosts: { app: { cores: 2, ...(cold !== undefined && { cold_start_ms: cold }) } },
        server: { concurrency: 100_000, host: 'app' },
        handler: [{ cpu: exp(1) }],
      });
    const plain = simulate(busy());
    expect(simulate(busy(0.5)).throughput_rps).toBe(plain.throughput_rps);
  });

  it('two clients pay it only when the other is off the CPU too', () => {
    // each request is 1 ms on a core and 1 ms off it: a request starts on an idle machine only
    // when the other client is thinking, so the CPU a request is between 1 and 1.5 ms
    const cold = simulate(closedCold(2, 0.5));
    const host = cold.stations['host:instances'];
    const cpu = ((host.utilization * host.servers) / cold.throughput_rps) * 1000;
    expect(cpu).toBeGreaterThan(1.01);
    expect(cpu).toBeLessThan(1.49);
  });

  it('the machine charges it only when none of its jobs runs or waits and some time has passed', () => {
    const m = new PsMachine(2, 0, 0, 0, 2, 0, 0, 0.5);
    expect(m.coldExtra(0)).toBe(0.5); // never ran
    m.add(0, 1, 1);
    expect(m.coldExtra(0.5)).toBe(0); // one running
    m.pop(1);
    expect(m.coldExtra(1)).toBe(0); // the stint that just ended wakes the next: warm
    expect(m.coldExtra(1.001)).toBe(0.5);
  });

  it('is validated: a negative cold start is an error naming the field', () => {
    const s = { ...closedCold(1), hosts: { app: { cores: 2, cold_start_ms: -1 } } };
    expect(messages(validateScenario(s))).toEqual([
      expect.stringMatching(/^hosts\.app\.cold_start_ms: /),
    ]);
  });
});

describe('contention that grows with connections (usl.n = "connections")', () => {
  /**
   * N clients in a closed loop, each a transaction of `wait` ms of I/O and `cpu` ms of CPU on a
   * host of ample cores with a USL slowdown counted over `n`.
   */
  const sessions = (
    N: number,
    n: 'running' | 'connections',
    pool = 100_000,
    wait: Dist = konst(3),
  ) =>
    scenario({
      duration_s: 60,
      warmup_s: 3,
      workload: { type: 'closed', connections: N },
      hosts: { db: { cores: 4096, usl: { sigma: 0.02, kappa: 0.0005, n } } },
      server: { concurrency: 100_000 },
      handler: [
        {
          transaction: {
            key: 'user',
            steps: [{ db: { query: { cpu: konst(1), wait } } }],
          },
        },
      ],
      db: { pool_size: pool, acquire_timeout_ms: 0, shard_concurrency: 100_000, host: 'db' },
    });
  const f = (n: number) => 1 + 0.02 * (n - 1) + 0.0005 * n * (n - 1);

  it.each([1, 8, 32])(
    'every one of %i open transactions slows the CPU, even those waiting on I/O: X = N / (3 + 1·f(N))',
    (N) => {
      const r = simulate(sessions(N, 'connections'));
      expect(rel(r.throughput_rps, (1000 * N) / (3 + f(N)))).toBeLessThan(0.005);
    },
  );

  it('counting only the jobs on the CPU slows it less: the same 32 clients run faster', () => {
    // I/O times that vary, so the clients do not move in step
    const byConn = simulate(sessions(32, 'connections', 100_000, exp(3))).throughput_rps;
    const byRunning = simulate(sessions(32, 'running', 100_000, exp(3))).throughput_rps;
    expect(rel(byConn, (1000 * 32) / (3 + f(32)))).toBeLessThan(0.02);
    // about a quarter of each cycle is CPU, so some 8 of 32 are running: nearer f(8) than f(32)
    expect(byRunning).toBeGreaterThan(byConn * 1.15);
    expect(byRunning).toBeLessThan(((1000 * 32) / (3 + f(8))) * 1.02);
  });

  it('a pool bounds the connections the DB sees: 32 clients behind a pool of 8 run at 8 connections', () => {
    const r = simulate(sessions(32, 'connections', 8));
    expect(rel(r.throughput_rps, 8000 / (3 + f(8)))).toBeLessThan(0.005);
  });

  it('"clients" counts a closed workload\'s clients even where a pool lets one through at a time', () => {
    const behindOne = (N: number) =>
      simulate(
        scenario({
          duration_s: 60,
          warmup_s: 2,
          workload: { type: 'closed', connections: N },
          server: { concurrency: 1000 },
          hosts: { db: { cores: 4096, usl: { sigma: 0.05, kappa: 0, n: 'clients' } } },
          handler: [{ db: { query: { cpu: konst(1) } } }],
          db: { pool_size: 1, acquire_timeout_ms: 0, shard_concurrency: 1000, host: 'db' },
        }),
      );
    // one query at a time, each slowed by 1 + σ(N − 1) with N the clients: 1000 / 1.35 at 8
    expect(rel(behindOne(8).throughput_rps, 1000 / 1.35)).toBeLessThan(0.005);
    expect(rel(behindOne(1).throughput_rps, 1000)).toBeLessThan(0.005);
    const problems = validateScenario({
      schema: 'peakline.scenario/v1',
      name: 'open',
      duration_s: 1,
      workload: { type: 'open', rate_rps: 10 },
      hosts: { app: { cores: 2, usl: { sigma: 0.1, kappa: 0, n: 'clients' } } },
      server: { concurrency: 1, host: 'app' },
      handler: [{ cpu: exp(1) }],
    });
    const text = messages(problems);
    expect(text).toEqual([
      'hosts.app.usl.n: "clients" counts the clients of a closed workload: this workload is open',
    ]);
  });

  it('is validated: "connections" needs the host to be db.host', () => {
    const problems = validateScenario({
      schema: 'peakline.scenario/v1',
      name: 'app sessions',
      duration_s: 1,
      workload: { type: 'closed', connections: 1 },
      hosts: { app: { cores: 2, usl: { sigma: 0.1, kappa: 0, n: 'connections' } } },
      server: { concurrency: 1, host: 'app' },
      handler: [{ cpu: exp(1) }],
    });
    expect(problems.ok).toBe(false);
    const text = messages(problems);
    expect(text).toContain(
      'hosts.app.usl.n: "connections" counts the DB connections open on a shard: it needs db.host = "app"',
    );
  });
});

describe('queries split into CPU and waiting, and round trips', () => {
  it('the wait part uses no core: two queries of 1 ms CPU + 3 ms I/O on one core take 5 ms, not 8', () => {
    const s = scenario({
      duration_s: 20,
      workload: { type: 'closed', connections: 2 },
      hosts: { db: { cores: 1 } },
      server: { concurrency: 10 },
      handler: [{ db: { query: { cpu: konst(1), wait: konst(3) } } }],
      db: { pool_size: 10, host: 'db' },
    });
    const r = simulate(s);
    // in lockstep: both wait 3 ms side by side, then share the core for 2 ms (were the wait CPU
    // too, each would need 4 ms of a shared core: 8 ms)
    expect(r.latency_ms.mean).toBeCloseTo(5, 6);
    expect(r.stations['host:db'].utilization).toBeCloseTo(2 / 5, 3);
  });

  it('without a DB host a split query is cpu + wait of delay, as one distribution would be', () => {
    const s = scenario({
      duration_s: 5,
      workload: { type: 'closed', connections: 1 },
      server: { concurrency: 10 },
      handler: [{ db: { query: { cpu: konst(1.5), wait: konst(2) } } }],
      db: { pool_size: 10 },
    });
    expect(simulate(s).latency_ms.mean).toBeCloseTo(3.5, 3);
  });
});

describe('transactions', () => {
  const tx = (steps: unknown[], extra: Record<string, unknown> = {}) =>
    scenario({
      duration_s: 20,
      warmup_s: 1,
      workload: { type: 'closed', connections: 1 },
      server: { concurrency: 1000 },
      handler: [{ transaction: { key: 'user', steps } }] as ScenarioInput['handler'],
      db: { pool_size: 1, acquire_timeout_ms: 0, shards: 1, ...extra },
    });

  it('holds one connection from BEGIN to COMMIT: two queries on a pool of one do not deadlock', () => {
    const r = simulate(
      tx([{ db: { query: konst(2) } }, { cpu: konst(1) }, { db: { query: konst(3) } }]),
    );
    expect(r.latency_ms.mean).toBeCloseTo(6, 3);
    expect(r.stations.db_pool.utilization).toBeCloseTo(1, 3);
    expect(r.requests.in_flight).toBeLessThanOrEqual(1);
  });

  it('pays a round trip per statement: BEGIN, each query and COMMIT', () => {
    const r = simulate(
      tx([{ db: { query: konst(2) } }, { db: { query: konst(3) } }], { rtt_ms: 0.5 }),
    );
    // 2 + 3 ms of queries and 4 statements × 0.5 ms
    expect(r.latency_ms.mean).toBeCloseTo(7, 3);
  });

  it('a lock waiter keeps its connection: a pool of 4 bounds the lock queue at 3', () => {
    const s = scenario({
      duration_s: 20,
      warmup_s: 1,
      workload: { type: 'closed', connections: 50 },
      keyspace: { items: 1 },
      server: { concurrency: 1000 },
      handler: [
        {
          transaction: {
            key: 'user',
            steps: [{ lock: { key: 'item', steps: [{ db: { query: konst(1) } }] } }],
          },
        },
      ],
      db: { pool_size: 4, acquire_timeout_ms: 0, shards: 1, shard_concurrency: 100 },
    });
    const r = simulate(s);
    // one hot item: one transaction at a time makes progress, 1 ms each
    expect(r.throughput_rps).toBeCloseTo(1000, -1);
    expect(r.stations['lock[0]'].mean_queue).toBeLessThanOrEqual(3);
    expect(r.stations['lock[0]'].mean_queue).toBeGreaterThan(2.9);
    expect(r.stations.db_pool.utilization).toBeCloseTo(1, 2);
    expect(r.stations.db_pool.mean_queue).toBeGreaterThan(40);
  });

  it('a lock time-out inside a transaction gives its connection back', () => {
    const s = scenario({
      duration_s: 20,
      warmup_s: 1,
      workload: { type: 'closed', connections: 20 },
      keyspace: { items: 1 },
      server: { concurrency: 1000 },
      handler: [
        {
          transaction: {
            key: 'user',
            steps: [{ lock: { key: 'item', timeout_ms: 5, steps: [{ db: { query: konst(2) } }] } }],
          },
        },
      ],
      db: { pool_size: 4, acquire_timeout_ms: 0 },
    });
    const r = simulate(s);
    expect(r.errors.lock_timeout).toBeGreaterThan(100);
    // had a connection leaked, the pool would jam and nothing would complete
    expect(r.throughput_rps).toBeGreaterThan(400);
    expect(r.requests.in_flight).toBeLessThanOrEqual(20);
  });

  it('a transaction waiting for a connection past acquire_timeout_ms fails as pool_timeout', () => {
    const s = tx([{ db: { query: konst(10) } }], { acquire_timeout_ms: 5 });
    const r = simulate({ ...s, workload: { ...s.workload, connections: 4 } } as typeof s);
    expect(r.errors.pool_timeout).toBeGreaterThan(0);
    expect(rel(r.throughput_rps, 100)).toBeLessThan(0.02);
  });

  it('runs its queries on the CPU of the shard of its key', () => {
    const s = scenario({
      duration_s: 20,
      workload: { type: 'closed', connections: 64 },
      hosts: { db: { cores: 1 } },
      server: { concurrency: 100 },
      handler: [{ transaction: { key: 'user', steps: [{ db: { query: { cpu: konst(1) } } }] } }],
      db: { pool_size: 100, shards: 2, shard_concurrency: 100, host: 'db' },
    });
    const r = simulate(s);
    // two shards, one core each: 2 queries per ms at most
    expect(rel(r.throughput_rps, 2000)).toBeLessThan(0.03);
    expect(r.stations['host:db[0]'].utilization).toBeGreaterThan(0.85);
    expect(r.stations['host:db[1]'].utilization).toBeGreaterThan(0.85);
  });

  it('is validated: a transaction inside a transaction names its path; hosts must exist', () => {
    const problems = validateScenario({
      schema: 'peakline.scenario/v1',
      name: 'nested',
      duration_s: 1,
      workload: { type: 'closed', connections: 1 },
      server: { concurrency: 1, host: 'appp' },
      hosts: { app: { cores: 2 } },
      handler: [
        {
          transaction: {
            steps: [{ lock: { steps: [{ transaction: { steps: [{ cpu: exp(1) }] } }] } }],
          },
        },
      ],
      db: { pool_size: 1 },
    });
    expect(problems.ok).toBe(false);
    const text = problems.ok ? '' : problems.problems.map((p) => `${p.path}: ${p.message}`);
    expect(text).toContain(
      'handler[0].transaction.steps[0].lock.steps[0].transaction: a transaction cannot be inside another transaction',
    );
    expect(text).toContain('server.host: no host named "appp" in "hosts" (hosts: app)');
  });
});

describe('a pooler in the path of every statement (db.pooler)', () => {
  /** N closed clients, each request one query of `query` CPU through a pooler of `cpu` ms. */
  const pooled = (N: number, cores: number, threads: number, query: number, extra = {}) =>
    scenario({
      duration_s: 30,
      warmup_s: 2,
      workload: { type: 'closed', connections: N },
      hosts: { db: { cores } },
      server: { concurrency: 1000 },
      handler: [{ db: { query: { cpu: konst(query), wait: konst(0) } } }],
      db: {
        pool_size: 1000,
        acquire_timeout_ms: 0,
        shard_concurrency: 1000,
        host: 'db',
        pooler: { cpu: konst(1), threads },
        ...extra,
      },
    });

  it('one thread runs one statement at a time: four clients through 1 ms of pooler CPU make 1,000/s', () => {
    const one = simulate(pooled(4, 8, 1, 0.001));
    expect(rel(one.throughput_rps, 1000)).toBeLessThan(0.01);
    // each request waits for the three ahead of it: 4 ms
    expect(one.latency_ms.mean).toBeCloseTo(4, 1);
    expect(one.stations.pooler.utilization).toBeCloseTo(1, 2);
    expect(one.stations.pooler.kind).toBe('service');
    expect(one.saturated).toBe('pooler');
    const two = simulate(pooled(4, 8, 2, 0.001));
    expect(rel(two.throughput_rps, 2000)).toBeLessThan(0.01);
  });

  it("shares the shard host's cores: two threads on one core run no faster than one core allows", () => {
    // 1 ms of pooler CPU and 1 ms of query CPU a request, one core: at most 500 requests/s
    const r = simulate(pooled(4, 1, 2, 1));
    expect(rel(r.throughput_rps, 500)).toBeLessThan(0.01);
    expect(r.stations['host:db'].utilization).toBeCloseTo(1, 2);
    // alone, a request takes its 2 ms: the pooler adds its CPU to the latency
    expect(simulate(pooled(1, 1, 1, 1)).latency_ms.mean).toBeCloseTo(2, 3);
  });

  it('BEGIN and COMMIT pass through it too: a transaction of one query is three statements', () => {
    const s = scenario({
      duration_s: 10,
      workload: { type: 'closed', connections: 1 },
      hosts: { db: { cores: 2 } },
      server: { concurrency: 10 },
      handler: [{ transaction: { key: 'user', steps: [{ db: { query: konst(2) } }] } }],
      db: { pool_size: 1, host: 'db', rtt_ms: 0.5, pooler: { cpu: konst(1) } },
    });
    // BEGIN 1 + 0.5, the query 1 + 0.5 + 2, COMMIT 1 + 0.5
    expect(simulate(s).latency_ms.mean).toBeCloseTo(6.5, 3);
  });

  it('is named when the shards have no host to run its CPU on', () => {
    const problems = validateScenario({
      ...pooled(1, 1, 1, 1),
      hosts: {},
      db: { pool_size: 1, pooler: { cpu: konst(1) } },
    });
    const text = messages(problems);
    expect(text).toContain(
      "db.pooler: a pooler's CPU runs on the shards' machines: it needs db.host (a kind in hosts)",
    );
  });
});

describe('scenarios without hosts', () => {
  it('a hosts section nothing runs on changes no figure', () => {
    const s = scenario({
      duration_s: 5,
      workload: { type: 'open', rate_rps: 2000 },
      server: { concurrency: 8 },
      handler: [{ cpu: exp(1) }, { db: { query: exp(2) } }],
      db: { pool_size: 10, shards: 4 },
    });
    const a = simulate(s);
    const b = simulate({ ...s, hosts: { spare: { cores: 4, background: 0 } } });
    const strip = (r: typeof a) => JSON.stringify({ ...r, wall_ms: 0 });
    expect(strip(b)).toBe(strip(a));
  });
});
