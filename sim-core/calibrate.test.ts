// Fitting the Universal Scalability Law to measured points, as calibrate does: exact USL data
// gives back its X(1), σ and κ; noisy data gives them within a stated tolerance; σ and κ never go
// negative; too few points and fits that fail are refused; and the scenario written from a fit
// validates and says what was fitted.
import { describe, expect, it } from 'vitest';
import {
  applyCalibration,
  atLoad,
  fitHostAndSpeedup,
  fitHostBySimulation,
  calibratedScenario,
  DEFAULT_P99_RATIO,
  demandShape,
  fitDemand,
  stallDist,
  STALL_SHARE,
  waitHostThroughput,
  fitUsl,
  FitError,
  loadOf,
  MAX_P99_RATIO,
  nnlsUsl,
  runsOnHost,
  scaleDemand,
  scaleDemandParts,
  cpuPerRequest,
  applyDemand,
  fitDemandScale,
  uslThroughput,
  type CalibrationInput,
  type SimFit,
  type UslParams,
} from './calibrate';
import { parsePoints, type LoadPoint } from './points';
import { Rng } from './random';
import { simulate } from './simulate';
import { ScenarioSchema, type Scenario, type ScenarioInput } from './schema';
import tpcbRuns from './fixtures/pgbench-tpcb-runs.txt?raw';
import zipfPooledBase from './fixtures/fidelity-zipf-pooled.base.json';

const rel = (a: number, b: number) => Math.abs(a / b - 1);
const LOADS = [1, 2, 4, 8, 16, 32, 64];

/** Closed points exactly on the law, latency by Little's law (no think time). */
function exact(law: UslParams, loads = LOADS): LoadPoint[] {
  return loads.map((n) => {
    const x = uslThroughput(n, law);
    return { concurrency: n, throughput_rps: x, mean_ms: (1000 * n) / x, source: `N=${n}` };
  });
}

/** `runs` measurements at each load with Gaussian relative noise of `cv`, from a seeded stream. */
function noisy(law: UslParams, seed: number, cv = 0.03, runs = 3): LoadPoint[] {
  const rng = new Rng(seed, 42);
  return [...LOADS, 128].flatMap((n) =>
    Array.from({ length: runs }, () => {
      const x = uslThroughput(n, law) * (1 + cv * rng.normal());
      return { concurrency: n, throughput_rps: x, mean_ms: (1000 * n) / x, source: `N=${n}` };
    }),
  );
}

/** Sum of squared relative throughput residuals of a law. */
function ssr(points: LoadPoint[], law: UslParams): number {
  return points.reduce(
    (s, p) => s + (uslThroughput(loadOf(p), law) / p.throughput_rps - 1) ** 2,
    0,
  );
}

describe('exact USL data', () => {
  it.each([
    { x1_rps: 1000, sigma: 0.05, kappa: 0.002 },
    { x1_rps: 250, sigma: 0.2, kappa: 0 },
    { x1_rps: 4000, sigma: 0, kappa: 0.0004 },
    { x1_rps: 50, sigma: 0, kappa: 0 },
  ])('gives back X1, σ and κ within 1e-6 (%o)', (law) => {
    const f = fitUsl(exact(law));
    expect(rel(f.x1_rps, law.x1_rps)).toBeLessThan(1e-6);
    expect(Math.abs(f.sigma - law.sigma)).toBeLessThanOrEqual(1e-6 * Math.max(law.sigma, 1e-3));
    expect(Math.abs(f.kappa - law.kappa)).toBeLessThanOrEqual(1e-6 * Math.max(law.kappa, 1e-5));
    expect(f.demand_ms).toBeCloseTo(1000 / law.x1_rps, 9);
    expect(f.r2).toBeCloseTo(1, 12);
    expect(f.cores).toBeNull();
    for (const p of f.points) {
      expect(Math.abs(p.residual)).toBeLessThan(1e-9);
      expect(Math.abs(p.mean_error)).toBeLessThan(1e-9);
    }
  });

  it('with a core limit: gives back the law when told the cores', () => {
    const law = { x1_rps: 800, sigma: 0.03, kappa: 0.0005, cores: 8 };
    const f = fitUsl(exact(law), { cores: 8 });
    expect(rel(f.x1_rps, 800)).toBeLessThan(1e-6);
    expect(rel(f.sigma, 0.03)).toBeLessThan(1e-6);
    expect(rel(f.kappa, 0.0005)).toBeLessThan(1e-6);
    expect(f.cores).toBe(8);
    // Beyond 8 cores throughput only falls: the peak is at the core limit.
    expect(f.peak_concurrency).toBe(8);
    expect(f.peak_throughput_rps).toBeCloseTo(uslThroughput(8, law), 6);
  });

  it('open points (a rate) are placed at N = X · mean by Little’s law', () => {
    const law = { x1_rps: 1000, sigma: 0.05, kappa: 0.002 };
    const open = exact(law).map(({ concurrency: _, ...p }) => ({
      ...p,
      rate_rps: p.throughput_rps,
    }));
    const f = fitUsl(open);
    expect(rel(f.x1_rps, 1000)).toBeLessThan(1e-6);
    expect(rel(f.sigma, 0.05)).toBeLessThan(1e-6);
    expect(rel(f.kappa, 0.002)).toBeLessThan(1e-6);
    expect(f.points.map((p) => Math.round(p.concurrency))).toEqual(LOADS);
    expect(f.points[3].rate_rps).toBe(open[3].rate_rps);
  });

  it('reports N* = sqrt((1−σ)/κ) and X(N*); no peak when κ = 0', () => {
    const f = fitUsl(exact({ x1_rps: 1000, sigma: 0.05, kappa: 0.002 }));
    expect(f.peak_concurrency).toBeCloseTo(Math.sqrt(0.95 / 0.002), 4);
    expect(f.peak_throughput_rps).toBeCloseTo(
      uslThroughput(Math.sqrt(0.95 / 0.002), { x1_rps: 1000, sigma: 0.05, kappa: 0.002 }),
      3,
    );
    const amdahl = fitUsl(exact({ x1_rps: 250, sigma: 0.2, kappa: 0 }));
    expect(amdahl.peak_concurrency).toBe(Infinity);
    expect(amdahl.peak_throughput_rps).toBeCloseTo(250 / 0.2, 3); // the asymptote X1/σ
  });
});

describe('noisy data (seeded)', () => {
  // 3 % Gaussian noise on throughput, 3 runs at each of 8 loads (1..128). Stated tolerance:
  // X1 within 4 %, σ within ±0.01, κ within 12 %. (Worst over seeds 1–200: 2.8 %, 0.006, 8.6 %.)
  it('recovers the law without a core limit within the tolerance', () => {
    const law = { x1_rps: 1000, sigma: 0.05, kappa: 0.002 };
    for (let seed = 1; seed <= 20; seed++) {
      const f = fitUsl(noisy(law, seed));
      expect(rel(f.x1_rps, 1000)).toBeLessThan(0.04);
      expect(Math.abs(f.sigma - 0.05)).toBeLessThan(0.01);
      expect(rel(f.kappa, 0.002)).toBeLessThan(0.12);
      expect(f.r2).toBeGreaterThan(0.95);
    }
  });

  it('recovers the law with a core limit within the tolerance', () => {
    const law = { x1_rps: 800, sigma: 0.03, kappa: 0.0005, cores: 8 };
    for (let seed = 1; seed <= 20; seed++) {
      const f = fitUsl(noisy(law, seed), { cores: 8 });
      expect(rel(f.x1_rps, 800)).toBeLessThan(0.04);
      expect(Math.abs(f.sigma - 0.03)).toBeLessThan(0.01);
      expect(rel(f.kappa, 0.0005)).toBeLessThan(0.12);
    }
  });

  it('Levenberg–Marquardt ends at a minimum no worse than the linearised start', () => {
    const law = { x1_rps: 1000, sigma: 0.05, kappa: 0.002 };
    for (const seed of [3, 7, 11]) {
      const pts = noisy(law, seed);
      const f = fitUsl(pts);
      const fitted = { x1_rps: f.x1_rps, sigma: f.sigma, kappa: f.kappa };
      const lin = nnlsUsl(
        pts.map(loadOf),
        pts.map((p) => p.throughput_rps),
      )!;
      const start = { x1_rps: 1 / lin.a, sigma: lin.b / lin.a, kappa: lin.c / lin.a };
      expect(ssr(pts, fitted)).toBeLessThanOrEqual(ssr(pts, start));
      // No small move of any parameter lowers the squared relative residuals.
      for (const key of ['x1_rps', 'sigma', 'kappa'] as const)
        for (const d of [1.001, 0.999]) {
          const moved = { ...fitted, [key]: fitted[key] * d };
          expect(ssr(pts, moved)).toBeGreaterThanOrEqual(ssr(pts, fitted) * (1 - 1e-9));
        }
    }
  });
});

describe('σ and κ stay non-negative', () => {
  it('linear scaling gives σ = κ = 0 and X1 the slope', () => {
    const pts = exact({ x1_rps: 120, sigma: 0, kappa: 0 }, [1, 2, 3, 5, 8]);
    const f = fitUsl(pts);
    expect(f.sigma).toBe(0);
    expect(f.kappa).toBe(0);
    expect(rel(f.x1_rps, 120)).toBeLessThan(1e-9);
  });

  it('slightly superlinear data (unconstrained σ < 0) is fitted with σ, κ ≥ 0', () => {
    // 1 %·(N−1) better than linear: unconstrained least squares wants a negative σ.
    const pts = [1, 2, 4, 8, 16].map((n) => {
      const x = 100 * n * (1 + 0.01 * (n - 1));
      return { concurrency: n, throughput_rps: x, mean_ms: (1000 * n) / x, source: `N=${n}` };
    });
    const loads = pts.map(loadOf);
    const xs = pts.map((p) => p.throughput_rps);
    const lin = nnlsUsl(loads, xs)!;
    expect(lin.b).toBeGreaterThanOrEqual(0);
    expect(lin.c).toBeGreaterThanOrEqual(0);
    const f = fitUsl(pts);
    expect(f.sigma).toBeGreaterThanOrEqual(0);
    expect(f.kappa).toBeGreaterThanOrEqual(0);
    expect(f.sigma + f.kappa).toBe(0);
    expect(f.r2).toBeGreaterThan(0.9);
  });
});

describe('what cannot be fitted', () => {
  const law = { x1_rps: 1000, sigma: 0.05, kappa: 0.002 };
  it('refuses two points', () => {
    expect(() => fitUsl(exact(law, [1, 8]))).toThrow(
      new FitError('needs at least 3 load points to fit X(1), σ and κ (got 2)'),
    );
  });

  it('refuses points all at one load', () => {
    expect(() => fitUsl(exact(law, [4, 4, 4]))).toThrow(
      'needs points at 2 or more different loads (all 3 are at N = 4)',
    );
  });

  it('fits three points at two loads', () => {
    const f = fitUsl(exact(law, [1, 1, 8]));
    expect(rel(uslThroughput(8, f), uslThroughput(8, law))).toBeLessThan(1e-6);
  });

  it('refuses a fit that explains the throughput worse than its mean (R² < 0)', () => {
    const pts = [
      [1, 1000],
      [2, 10],
      [4, 10],
      [8, 5000],
    ].map(([n, x]) => ({ concurrency: n, throughput_rps: x, mean_ms: (1000 * n) / x, source: '' }));
    expect(() => fitUsl(pts)).toThrow(/^the fit failed: R² = -\d\.\d+ < 0/);
  });
});

describe('the real pgbench fixture', () => {
  it('peaks between 4 and 8 clients, as the measurements do', () => {
    const f = fitUsl(parsePoints(tpcbRuns).points);
    expect(f.r2).toBeGreaterThan(0.8);
    expect(f.peak_concurrency).toBeGreaterThan(4);
    expect(f.peak_concurrency).toBeLessThan(8);
    expect(f.demand_ms).toBeGreaterThan(0.8);
    expect(f.demand_ms).toBeLessThan(1.1);
  });
});

describe('the demand distribution', () => {
  const pt = (extra: Partial<LoadPoint>, n = 1): LoadPoint => ({
    concurrency: n,
    throughput_rps: 100,
    mean_ms: 10,
    source: `row ${n}`,
    ...extra,
  });

  it('takes P99/mean of the highest load when it has a P99 (there the stretched CPU holds the tail)', () => {
    const d = demandShape([pt({ p99_ms: 99 }, 8), pt({ p99_ms: 30 }, 2), pt({}, 4)], 5);
    expect(d.dist).toEqual({ dist: 'lognormal', mean_ms: 5, p99_ms: 5 * 9.9 });
    expect(d.ratio).toBeCloseTo(9.9, 12);
    expect(d.from).toContain('row 8');
    expect(d.stall).toBeNull();
  });

  it('takes P99/mean of the lowest load when no higher load has a P99', () => {
    const d = demandShape([pt({}, 8), pt({ p99_ms: 30 }, 2), pt({}, 4)], 5);
    expect(d.dist).toEqual({ dist: 'lognormal', mean_ms: 5, p99_ms: 15 });
    expect(d.ratio).toBe(3);
    expect(d.from).toContain('row 2');
  });

  it("a light load's tail beyond that shape becomes stalls that do not grow with load", () => {
    // the real PostgreSQL order transaction: P99 4 ms at one client (P50 0.51 ms), 2.44 × the
    // mean at 64 clients
    const points: LoadPoint[] = [
      {
        concurrency: 1,
        throughput_rps: 1603,
        mean_ms: 0.62,
        p50_ms: 0.507,
        p99_ms: 3.992,
        source: 'row 1',
      },
      {
        concurrency: 8,
        throughput_rps: 4178,
        mean_ms: 1.881,
        p50_ms: 1.58,
        p99_ms: 6.658,
        source: 'row 2',
      },
      {
        concurrency: 64,
        throughput_rps: 4868,
        mean_ms: 11.85,
        p50_ms: 11.2,
        p99_ms: 28.97,
        source: 'row 3',
      },
    ];
    const fit = fitUsl(points);
    const d = demandShape(points, fit.demand_ms);
    expect(d.stall).toEqual({ ms: 3.992 - 0.507, share: STALL_SHARE });
    expect(d.ratio).toBeCloseTo(28.97 / 11.85, 10);
    expect(stallDist(d.stall)).toEqual({
      dist: 'empirical',
      samples_ms: [3.485, ...new Array(49).fill(0)],
    });
    // taking the stalls out of the stretched demand would raise throughput at 64 clients by ~10 %;
    // the refit around them reproduces every measured throughput again
    const both = fitDemand(points, fit);
    for (const p of both.fit.points) expect(Math.abs(p.residual)).toBeLessThan(0.005);
    const cpu = both.demand.dist as { mean_ms: number };
    const wait = STALL_SHARE * 3.485;
    expect(1000 / (cpu.mean_ms + wait)).toBeCloseTo(both.fit.x1_rps, 6);
    for (const p of points)
      expect(
        waitHostThroughput(
          p.concurrency!,
          wait,
          cpu.mean_ms,
          both.fit.sigma,
          both.fit.kappa,
          null,
        ) / p.throughput_rps,
      ).toBeCloseTo(1, 2);
  });

  it('from the standard deviation when there is no P99 (a lognormal with that cv)', () => {
    const d = demandShape([pt({ stddev_ms: 3 }), pt({}, 2), pt({}, 3)], 10);
    // cv 0.3: s² = ln 1.09 = 0.08618, P99/mean = exp(2.3263 s − s²/2) = exp(0.63983) = 1.8962
    expect(d.ratio).toBeCloseTo(1.8962, 4);
    expect(d.dist).toMatchObject({ dist: 'lognormal', mean_ms: 10 });
  });

  it('the default when there is neither; a constant at a ratio ≤ 1; clamped below 14.9', () => {
    expect(demandShape([pt({})], 4).dist).toEqual({
      dist: 'lognormal',
      mean_ms: 4,
      p99_ms: 4 * DEFAULT_P99_RATIO,
    });
    expect(demandShape([pt({ p99_ms: 10 })], 4).dist).toEqual({ dist: 'const', ms: 4 });
    const wide = demandShape([pt({ p99_ms: 400 })], 4);
    expect(wide.ratio).toBe(40);
    expect(wide.dist).toEqual({ dist: 'lognormal', mean_ms: 4, p99_ms: 4 * MAX_P99_RATIO });
    expect(ScenarioSchema.shape.handler.element.safeParse({ cpu: wide.dist }).success).toBe(true);
  });
});

describe('the written scenario', () => {
  const law = { x1_rps: 1000, sigma: 0.05, kappa: 0.002 };
  const input = (points: LoadPoint[], cores?: number): CalibrationInput => {
    const fit = fitUsl(points, { cores });
    return {
      fit,
      demand: demandShape(points, fit.demand_ms),
      points,
      files: ['runs.csv'],
      format: 'csv',
      out: 'calibrated.json',
    };
  };

  it('closed points: a closed loop at the largest concurrency, a db host with the USL', () => {
    const s = calibratedScenario(input(exact(law)));
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
    expect(s.name).toBe('Calibrated from runs.csv');
    expect(s.workload).toEqual({ type: 'closed', connections: 64 });
    expect(s.hosts).toEqual({ db: { cores: 4096, usl: { sigma: 0.05, kappa: 0.002 } } });
    expect(s.handler).toEqual([
      {
        db: {
          query: {
            cpu: { dist: 'lognormal', mean_ms: 1, p99_ms: 2 },
            wait: { dist: 'const', ms: 0 },
          },
        },
      },
    ]);
    expect(s.db).toEqual({
      pool_size: 100000,
      acquire_timeout_ms: 0,
      shards: 1,
      shard_concurrency: 100000,
      host: 'db',
    });
    expect(s.notes).toContain('σ = 0.05');
    expect(s.notes).toContain('κ = 0.002');
    expect(s.notes).toContain('npx peakline run calibrated.json --set workload.connections=N');
  });

  it('open points: an open loop at the largest rate; a core limit becomes the host’s cores', () => {
    const open = exact(law).map(({ concurrency: _, ...p }) => ({
      ...p,
      rate_rps: p.throughput_rps,
    }));
    const s = calibratedScenario({ ...input(open, 16), host: 'pg' });
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
    expect(s.workload).toMatchObject({ type: 'open', arrivals: 'poisson' });
    expect(s.hosts?.pg.cores).toBe(16);
    expect(s.db?.host).toBe('pg');
    expect(s.notes).toContain('--set workload.rate_rps=R');
  });

  const base: ScenarioInput = {
    schema: 'peakline.scenario/v1',
    name: 'shop',
    notes: 'The shop.',
    duration_s: 10,
    workload: { type: 'open', rate_rps: 100 },
    server: { concurrency: 8 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 2 } }],
  };

  it('a base where nothing runs on the host: its handler becomes the calibrated query there', () => {
    const s = applyCalibration(base, input(exact(law)));
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
    expect(s.workload).toEqual(base.workload);
    expect(s.handler).toHaveLength(1);
    expect(s.handler[0]).toHaveProperty('db.query.cpu.mean_ms', 1);
    expect(s.db).toMatchObject({ host: 'db', pool_size: 100000 });
    expect(s.notes).toMatch(/^The shop\.\n\nCalibrated by peakline calibrate/);
    // Calibrating again replaces the calibration paragraph instead of adding another.
    const again = applyCalibration(s, input(exact(law)));
    expect(again.notes?.match(/Calibrated by/g)).toHaveLength(1);
    expect(again.notes).toMatch(/^The shop\.\n\n/);
  });

  it('a base that runs on the host keeps its handler and db section; the host gets the fit', () => {
    const onHost: ScenarioInput = {
      ...base,
      hosts: { db: { cores: 2, background: 0.5 } },
      db: { pool_size: 10, host: 'db' },
      handler: [{ db: { query: { cpu: { dist: 'exp', mean_ms: 3 } } } }],
    };
    expect(runsOnHost(onHost, 'db')).toBe(true);
    const s = applyCalibration(onHost, input(exact({ ...law, cores: 4 }), 4));
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
    expect(s.handler).toEqual(onHost.handler);
    expect(s.db).toEqual(onHost.db);
    expect(s.hosts?.db).toEqual({ cores: 4, usl: { sigma: 0.05, kappa: 0.002 } });
  });
});

describe('a base modelled from its parts, fitted by simulation', () => {
  // a transaction whose item row lock is contended, on a 4-core DB host with a known USL
  const base = (sigma: number, kappa: number) =>
    ScenarioSchema.parse({
      schema: 'peakline.scenario/v1',
      name: 'parts',
      seed: 3,
      duration_s: 4,
      warmup_s: 0.5,
      workload: { type: 'closed', connections: 8 },
      keyspace: { items: 1000, item_zipf_s: 0.8 },
      hosts: { db: { cores: 4, usl: { sigma, kappa } } },
      server: { concurrency: 10_000 },
      handler: [
        {
          transaction: {
            key: 'user',
            steps: [
              { db: { query: { cpu: { dist: 'exp', mean_ms: 0.4 } } } },
              {
                lock: {
                  key: 'item',
                  steps: [{ db: { query: { cpu: { dist: 'exp', mean_ms: 0.3 } } } }],
                },
              },
            ],
          },
        },
      ],
      db: {
        pool_size: 10_000,
        acquire_timeout_ms: 0,
        shard_concurrency: 10_000,
        host: 'db',
        rtt_ms: 0.05,
      },
    });

  /** What `truth` (its host's USL at σ, κ) does at 1, 8 and 32 clients, as measured points. */
  const measured = (truth: Scenario, sigma: number, kappa: number): LoadPoint[] =>
    [1, 8, 32].map((n) => {
      const r = simulate(
        atLoad(
          truth,
          'db',
          { concurrency: n, throughput_rps: 1, mean_ms: 1, source: '' },
          sigma,
          kappa,
          4,
        ),
      );
      return {
        concurrency: n,
        throughput_rps: r.throughput_rps,
        mean_ms: r.latency_ms.mean,
        p99_ms: r.latency_ms.p99,
        source: `N=${n}`,
      };
    });

  it('recovers the host’s σ and κ from throughputs the same structure produced', () => {
    const points = measured(base(0.05, 0.003), 0.05, 0.003);
    const seen: number[] = [];
    const fit = fitHostBySimulation(base(0, 0), 'db', points, {
      duration_s: 4,
      onProgress: (f) => seen.push(f),
    });
    expect(fit.sigma).toBeGreaterThan(0.02);
    expect(fit.sigma).toBeLessThan(0.1);
    expect(fit.kappa).toBeGreaterThan(0.0015);
    expect(fit.kappa).toBeLessThan(0.005);
    for (const p of fit.points) expect(Math.abs(p.residual)).toBeLessThan(0.03);
    expect(fit.r2).toBeGreaterThan(0.99);
    expect(seen.at(-1)).toBe(1);
    // the lock is the user's: its tail comes from the structure, not from a fitted shape
    expect(fit.points[2].simulated_p99_ms).toBeGreaterThan(2 * fit.points[2].simulated_mean_ms);
  });

  it('fitHostAndSpeedup recovers how much its cores do together from a machine whose cores slow each other', () => {
    // the truth: the same structure on 4 cores that together do 2× one, and a little contention
    const truth = {
      ...base(0.02, 0),
      hosts: { db: { ...base(0.02, 0).hosts!.db, core_speedup: 2 } },
    };
    const points = measured(truth, 0.02, 0);
    const { fit } = fitHostAndSpeedup(base(0, 0), 'db', points, { duration_s: 4 });
    expect(fit.core_speedup).toBeGreaterThan(1.6);
    expect(fit.core_speedup).toBeLessThan(2.5);
    for (const p of fit.points) expect(Math.abs(p.residual)).toBeLessThan(0.03);
    // cores taken as independent, σ and κ alone cannot bend the curve that way
    const plain = fitHostBySimulation(base(0, 0), 'db', points, { duration_s: 4 });
    expect(plain.core_speedup).toBeUndefined();
    const worst = (f: SimFit) => Math.max(...f.points.map((p) => Math.abs(p.residual)));
    expect(worst(plain)).toBeGreaterThan(worst(fit));
  }, 180_000);

  it('scales every part of the demand by one factor: queries, round trip, pooler and client CPU', () => {
    const b = base(0, 0);
    b.db!.pooler = { cpu: { dist: 'exp', mean_ms: 0.04 }, threads: 1 };
    b.hosts!.db.client = { cpu: { dist: 'const', ms: 0.1 } };
    const x = scaleDemand(b, 1.5);
    expect(x.db!.rtt_ms).toBeCloseTo(0.075, 9);
    expect(x.db!.pooler!.cpu).toEqual({ dist: 'exp', mean_ms: 0.06 });
    expect(x.db!.pooler!.threads).toBe(1);
    expect(x.hosts!.db.client!.cpu).toEqual({ dist: 'const', ms: 0.15 });
    // the base is left as it was
    expect(b.db!.pooler!.cpu).toEqual({ dist: 'exp', mean_ms: 0.04 });
  });

  it('refuses a host the base does not have', () => {
    expect(() => fitHostBySimulation(base(0, 0), 'app', [], {})).toThrow(/no host "app"/);
  });
});

/**
 * A query of 0.3 × `cpu` ms of CPU and 0.4 × `wait` ms of waiting (I/O) in a transaction, a
 * 0.1 × `wait` ms round trip each way of BEGIN, the query and COMMIT, a load generator of
 * 0.05 × `cpu` ms that times its own work; 2 cores, with `host` added to them.
 */
function cpuAndWaits(cpu: number, wait: number, host: { cold_start_ms?: number } = {}) {
  return ScenarioSchema.parse({
    schema: 'peakline.scenario/v1',
    name: 'cpu and waits',
    seed: 5,
    duration_s: 6,
    warmup_s: 0.5,
    workload: { type: 'closed', connections: 1 },
    hosts: {
      db: {
        cores: 2,
        client: { cpu: { dist: 'exp', mean_ms: 0.05 * cpu }, in_latency: true },
        ...host,
      },
    },
    server: { concurrency: 10_000 },
    handler: [
      {
        transaction: {
          key: 'user',
          steps: [
            {
              db: {
                query: {
                  cpu: { dist: 'exp', mean_ms: 0.3 * cpu },
                  wait: { dist: 'exp', mean_ms: 0.4 * wait },
                },
              },
            },
          ],
        },
      },
    ],
    db: {
      pool_size: 10_000,
      acquire_timeout_ms: 0,
      shard_concurrency: 10_000,
      host: 'db',
      rtt_ms: 0.1 * wait,
    },
  });
}

/** `s` run 6 s at `n` closed connections on host db. */
const simulateAt = (s: Scenario, n: number) =>
  simulate(atLoad(s, 'db', { concurrency: n, throughput_rps: 1, mean_ms: 1, source: '' }, 0, 0, 6));

/** What a "real" system `truth` does at `n` clients, as a load point with the CPU a request used. */
function measuredAt(truth: Scenario, n: number): LoadPoint {
  const r = simulateAt(truth, n);
  return {
    concurrency: n,
    throughput_rps: r.throughput_rps,
    mean_ms: r.latency_ms.mean,
    cpu_ms: cpuPerRequest(r),
    source: `N=${n}`,
  };
}

describe('the CPU measured beside the latency: CPU and waiting fitted apart', () => {
  // the truth: a query of 0.3 ms CPU and 0.4 ms of waiting (I/O), a 0.1 ms round trip each way of
  // BEGIN, the query and COMMIT, a load generator of 0.05 ms that times its own work; 2 cores
  const system = (cpu: number, wait: number) => cpuAndWaits(cpu, wait);
  const truth = system(1, 1);
  const points = [1, 4, 32].map((n) => measuredAt(truth, n));
  const at = (s: Scenario, n: number) =>
    simulate(atLoad(s, 'db', { ...points[0], concurrency: n }, 0, 0, 6));

  it("measures the CPU a request uses on the model's machines: 0.35 ms here", () => {
    for (const p of points) expect(Math.abs(p.cpu_ms! / 0.35 - 1)).toBeLessThan(0.03);
  });

  it('a base with half the CPU and twice the waiting gets both back, and the capacity with them', () => {
    const wrong = system(0.5, 2);
    const d = fitDemandScale(wrong, 'db', points, { duration_s: 6 });
    expect(d.cpu).toBeDefined();
    expect(Math.abs(d.cpu!.scale / 2 - 1)).toBeLessThan(0.03);
    expect(Math.abs(d.scale / 0.5 - 1)).toBeLessThan(0.05);
    expect(Math.abs(d.simulated_mean_ms / points[0].mean_ms - 1)).toBeLessThan(0.002);
    const fitted = scaleDemandParts(wrong, d.cpu!.scale, d.scale);
    // a load it was not given, where the 2 cores are the bottleneck: 2 / 0.35 ms ≈ 5,700/s
    const real = at(truth, 16);
    const predicted = at(fitted, 16);
    expect(Math.abs(predicted.throughput_rps / real.throughput_rps - 1)).toBeLessThan(0.03);
  });

  it('without the CPU one factor fits the light load and misses the capacity', () => {
    const wrong = system(0.5, 2);
    const d = fitDemandScale(
      wrong,
      'db',
      points.map(({ cpu_ms: _, ...p }) => p),
      { duration_s: 6 },
    );
    expect(d.cpu).toBeUndefined();
    const predicted = at(scaleDemand(wrong, d.scale), 16);
    // the CPU came out far less than 0.35 ms, so the machine seems to have room it has not
    expect(predicted.throughput_rps / at(truth, 16).throughput_rps).toBeGreaterThan(1.3);
  });

  it('refuses a base that spends no CPU on its hosts, naming the point', () => {
    const none = system(1, 1);
    none.handler = [{ db: { query: { dist: 'exp', mean_ms: 0.7 }, key: 'user' } }];
    delete none.hosts!.db.client;
    expect(() => fitDemandScale(none, 'db', points, { duration_s: 2 })).toThrow(
      /N=\d+ gives cpu_ms, but the base spends no CPU on its hosts/,
    );
  });

  it('refuses a CPU that alone takes longer than the latency measured', () => {
    const slow = points.map((p) => ({ ...p, cpu_ms: 3 }));
    expect(() => fitDemandScale(system(1, 1), 'db', slow, { duration_s: 2 })).toThrow(
      /the CPU measured at N=1 \(3 ms a request\) gives the base a mean latency of .* ms at N=1 even with no waiting, more than the .* ms measured there/,
    );
  });

  it('a CPU that leaves little room for waiting still fits: the waits shrink toward none, not past it', () => {
    // the fidelity suite's fifteenth run, Zipf items through pgbouncer: 0.533 ms of CPU at one
    // client against a mean of 0.584 ms. The mean is not linear in the waits down to none, so a
    // secant step lands below zero; the fit halves instead and reaches the measured mean.
    const base = ScenarioSchema.parse(zipfPooledBase);
    const measured: LoadPoint[] = [
      { concurrency: 1, throughput_rps: 1707.4, mean_ms: 0.584, cpu_ms: 0.533, source: 'row 2' },
      { concurrency: 8, throughput_rps: 2438.9, mean_ms: 3.267, cpu_ms: 0.678, source: 'row 3' },
      { concurrency: 64, throughput_rps: 2373.9, mean_ms: 26.906, cpu_ms: 0.705, source: 'row 4' },
    ];
    const d = fitDemandScale(base, 'db', measured, { duration_s: 10 });
    expect(d.scale).toBeGreaterThan(0);
    expect(d.scale).toBeLessThan(0.1);
    expect(Math.abs(d.simulated_mean_ms / 0.584 - 1)).toBeLessThan(0.01);
  }, 60_000);

  it("scales CPU and waits apart: a query's parts, the round trip, the client", () => {
    const x = scaleDemandParts(truth, 2, 3);
    const tx = x.handler[0] as { transaction: { steps: { db: { query: unknown } }[] } };
    expect(tx.transaction.steps[0].db.query).toEqual({
      cpu: { dist: 'exp', mean_ms: 0.6 },
      wait: { dist: 'exp', mean_ms: 1.2 },
    });
    expect(x.db!.rtt_ms).toBeCloseTo(0.3, 9);
    expect(x.hosts!.db.client).toEqual({ cpu: { dist: 'exp', mean_ms: 0.1 }, in_latency: true });
  });

  it("leaves the disk's commit stalls as measured: they are not the demand", () => {
    const stalls = { per_flush: 0.005, length: { dist: 'empirical' as const, samples_ms: [4, 6] } };
    const flushing = {
      ...truth,
      db: {
        ...truth.db!,
        commit_flush: { dist: 'exp' as const, mean_ms: 0.2 },
        commit_stalls: stalls,
      },
    };
    const x = scaleDemandParts(flushing, 2, 3);
    expect(x.db!.commit_flush).toEqual({ dist: 'exp', mean_ms: 0.6 });
    expect(x.db!.commit_stalls).toEqual(stalls);
  });
});

describe("a machine that runs cold when idle: the light load's extra CPU fitted as cold starts", () => {
  // the truth: the system above (a query of 0.3 ms CPU and 0.4 ms waiting, round trips, a load
  // generator) whose host spends 0.1 ms more on every stint that starts on it idle
  const system = (cold?: number) =>
    cpuAndWaits(1, 1, cold === undefined ? {} : { cold_start_ms: cold });
  const truth = system(0.1);
  const points = [1, 8, 32].map((n) => measuredAt(truth, n));

  it('the lone client spends more CPU a request than the loaded machine', () => {
    expect(points[0].cpu_ms! / points[2].cpu_ms!).toBeGreaterThan(1.3);
  });

  it('--fit-cold gets the cold starts back from the lowest load, and the light load between with them', () => {
    const d = fitDemandScale(system(), 'db', points, { duration_s: 6, cold: true });
    expect(d.cpu?.cold).toBeDefined();
    expect(d.cpu!.cold!.host).toBe('db');
    expect(Math.abs(d.cpu!.cold!.simulated_ms / points[0].cpu_ms! - 1)).toBeLessThan(0.01);
    expect(Math.abs(d.cpu!.cold!.ms / 0.1 - 1)).toBeLessThan(0.1);
    const fitted = applyDemand(system(), d);
    expect(fitted.hosts!.db.cold_start_ms).toBe(d.cpu!.cold!.ms);
    // two clients, a load it was not given: within 3 % of the truth
    const real = simulateAt(truth, 2).throughput_rps;
    expect(Math.abs(simulateAt(fitted, 2).throughput_rps / real - 1)).toBeLessThan(0.03);
  });

  it('without it the extra CPU goes into the waits, and two clients come out slower than they are', () => {
    const d = fitDemandScale(system(), 'db', points, { duration_s: 6 });
    expect(d.cpu?.cold).toBeUndefined();
    expect(d.scale).toBeGreaterThan(1.1);
    const real = simulateAt(truth, 2).throughput_rps;
    expect(simulateAt(applyDemand(system(), d), 2).throughput_rps / real).toBeLessThan(0.97);
  });

  it('refuses --fit-cold without the CPU at the lowest load, naming the point', () => {
    const noCpu = points.map(({ cpu_ms: _, ...p }) => p);
    expect(() => fitDemandScale(system(), 'db', noCpu, { duration_s: 2, cold: true })).toThrow(
      /--fit-cold needs the CPU a request used at the lowest load \(a cpu_ms at N=1\)/,
    );
  });
});
