// The engine agrees with queueing theory where theory has an answer, and the formulas themselves
// agree with known values.
import { describe, expect, it } from 'vitest';
import {
  analyticFor,
  erlangB,
  erlangC,
  little,
  md1,
  mg1,
  mm1ResponseQuantile,
  mmc,
  mmcResponseQuantile,
  mmcResponseTail,
  mmck,
  mva,
} from './theory';
import { simulate } from './simulate';
import { exp, scenario } from './testkit';

const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('closed forms', () => {
  it('Erlang B and C match textbook values', () => {
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 10);
    expect(erlangB(10, 5)).toBeCloseTo(0.018385, 5);
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 10); // M/M/1: P(wait) = ρ
    expect(erlangC(10, 8)).toBeCloseTo(0.409, 3);
    expect(erlangC(2, 2)).toBe(1);
  });

  it('M/M/1 figures: W = 1/(μ−λ), P99 = ln 100/(μ−λ)', () => {
    const f = mmc(0.8, 1, 1);
    expect(f.response).toBeCloseTo(5, 10);
    expect(f.inSystem).toBeCloseTo(4, 10);
    expect(mm1ResponseQuantile(0.8, 1, 0.99)).toBeCloseTo(5 * Math.log(100), 10);
    expect(() => mmc(1, 1, 1)).toThrow(/unstable/);
  });

  it('M/M/c response-time quantiles: M/M/1 at c = 1, the tail at 0 is 1, unstable is infinite', () => {
    expect(mmcResponseQuantile(0.8, 1, 1, 0.99)).toBeCloseTo(mm1ResponseQuantile(0.8, 1, 0.99), 8);
    expect(mmcResponseTail(3, 1, 4, 0)).toBe(1);
    const q = mmcResponseQuantile(3, 1, 4, 0.99);
    expect(mmcResponseTail(3, 1, 4, q)).toBeCloseTo(0.01, 10);
    // more servers, a shorter tail; with a server per arrival nearly none waits: P99 → ln 100 / μ
    expect(mmcResponseQuantile(3, 1, 5, 0.99)).toBeLessThan(q);
    expect(mmcResponseQuantile(3, 1, 40, 0.99)).toBeCloseTo(Math.log(100), 6);
    expect(mmcResponseQuantile(4, 1, 4, 0.99)).toBe(Infinity);
  });

  it('M/M/c/K tends to M/M/c as K grows and to Erlang B at K = c', () => {
    const big = mmck(7, 1, 8, 5000);
    const inf = mmc(7, 1, 8);
    expect(big.response).toBeCloseTo(inf.response, 8);
    expect(big.blocking).toBeLessThan(1e-12);
    expect(mmck(5, 1, 10, 10).blocking).toBeCloseTo(erlangB(10, 5), 10);
    // M/M/1/K: p_K = (1−ρ)ρ^K / (1−ρ^(K+1))
    const rho = 1.5;
    expect(mmck(1.5, 1, 1, 4).blocking).toBeCloseTo(((1 - rho) * rho ** 4) / (1 - rho ** 5), 10);
    // stays finite at heavy overload with a huge K
    expect(Number.isFinite(mmck(2, 1, 1, 100_000).response)).toBe(true);
  });

  it('Pollaczek–Khinchine: M/D/1 waits half as long as M/M/1', () => {
    expect(md1(0.5, 1).wait).toBeCloseTo(mmc(0.5, 1, 1).wait / 2, 10);
    expect(mg1(0.5, 1, 1).response).toBeCloseTo(mmc(0.5, 1, 1).response, 10);
  });

  it('MVA: one queue and think time obey the bounds; c servers behave like c servers', () => {
    const r = mva(1, 10, [{ demand: 2 }]);
    expect(r.throughput).toBeCloseTo(1 / 12, 10);
    const big = mva(100, 0, [{ demand: 2 }]);
    expect(big.throughput).toBeCloseTo(0.5, 6);
    // with c ≥ N nobody waits: response = demand
    const wide = mva(5, 3, [{ demand: 2, servers: 8 }]);
    expect(wide.response).toBeCloseTo(2, 8);
    // a delay station adds its demand
    const d = mva(3, 0, [{ demand: 1 }, { demand: 4, delay: true }]);
    expect(d.residence[1]).toBe(4);
    expect(little(d.throughput, d.response)).toBeCloseTo(3, 8);
  });
});

describe('the simulator agrees with theory', () => {
  const mmcCases: [number, number, number][] = [
    // servers, utilisation, simulated seconds
    [1, 0.5, 200],
    [1, 0.8, 2000],
    [2, 0.7, 200],
    [8, 0.9, 300],
    [32, 0.5, 30],
    [32, 0.9, 60],
  ];
  for (const [c, rho, dur] of mmcCases) {
    it(`M/M/${c} at ρ = ${rho}: mean latency within 3 %, throughput within 1 %`, () => {
      const s = scenario({
        seed: 11,
        duration_s: dur,
        warmup_s: 2,
        workload: { type: 'open', rate_rps: rho * c * 1000 },
        server: { concurrency: c },
        handler: [{ cpu: exp(1) }],
      });
      const a = analyticFor(s)!;
      expect(a.model).toBe('M/M/c');
      const r = simulate(s);
      expect(rel(r.throughput_rps, a.throughput_rps)).toBeLessThan(0.01);
      expect(rel(r.latency_ms.mean, a.latency_mean_ms)).toBeLessThan(0.03);
      expect(rel(r.stations.instances.utilization, a.utilization)).toBeLessThan(0.015);
      expect(Math.abs(r.stations.instances.mean_wait_ms - a.wait_ms)).toBeLessThan(
        0.03 * a.latency_mean_ms,
      );
      if (c === 1) expect(rel(r.latency_ms.p99, a.latency_p99_ms!)).toBeLessThan(0.06);
    });
  }

  for (const [c, rho] of [
    [4, 0.75],
    [8, 0.9],
  ]) {
    it(
      `M/M/${c} at ρ = ${rho}: P99 and P50 of the response time within 4 %`,
      { timeout: 30_000 },
      () => {
        const s = scenario({
          seed: 4,
          duration_s: 200,
          warmup_s: 2,
          workload: { type: 'open', rate_rps: rho * c * 1000 },
          server: { concurrency: c },
          handler: [{ cpu: exp(1) }],
        });
        const r = simulate(s);
        expect(rel(r.latency_ms.p99, mmcResponseQuantile(rho * c, 1, c, 0.99))).toBeLessThan(0.04);
        expect(rel(r.latency_ms.p50, mmcResponseQuantile(rho * c, 1, c, 0.5))).toBeLessThan(0.04);
      },
    );
  }

  it('M/M/2/5 blocks the share of arrivals Erlang says', () => {
    const s = scenario({
      seed: 3,
      duration_s: 60,
      warmup_s: 1,
      workload: { type: 'open', rate_rps: 3000 },
      server: { concurrency: 2, backlog: 3 },
      handler: [{ cpu: exp(1) }],
    });
    const a = analyticFor(s)!;
    expect(a.model).toBe('M/M/c/K');
    const r = simulate(s);
    const blocked = r.requests.rejected / r.requests.arrived;
    expect(Math.abs(blocked - a.blocking)).toBeLessThan(0.005);
    expect(r.errors.backlog_full).toBe(r.requests.rejected);
    expect(rel(r.throughput_rps, a.throughput_rps)).toBeLessThan(0.01);
    expect(rel(r.latency_ms.mean, a.latency_mean_ms)).toBeLessThan(0.02);
  });

  it('M/D/1 at ρ = 0.8 matches Pollaczek–Khinchine', () => {
    const s = scenario({
      seed: 5,
      duration_s: 200,
      warmup_s: 2,
      workload: { type: 'open', rate_rps: 800 },
      server: { concurrency: 1 },
      handler: [{ cpu: { dist: 'const', ms: 1 } }],
    });
    const a = analyticFor(s)!;
    expect(a.model).toBe('M/D/1');
    expect(a.latency_mean_ms).toBeCloseTo(3, 10);
    const r = simulate(s);
    expect(rel(r.latency_ms.mean, a.latency_mean_ms)).toBeLessThan(0.03);
    expect(rel(r.throughput_rps, 800)).toBeLessThan(0.01);
  });

  it('M/G/1 with lognormal service matches Pollaczek–Khinchine', () => {
    const s = scenario({
      seed: 5,
      duration_s: 200,
      warmup_s: 2,
      workload: { type: 'open', rate_rps: 600 },
      server: { concurrency: 1 },
      handler: [{ cpu: { dist: 'lognormal', mean_ms: 1, sigma: 0.5 } }],
    });
    const a = analyticFor(s)!;
    expect(a.model).toBe('M/G/1');
    const r = simulate(s);
    expect(rel(r.latency_ms.mean, a.latency_mean_ms)).toBeLessThan(0.03);
  });

  for (const [n, c, think] of [
    [30, 4, 20],
    [200, 10, 0],
  ]) {
    it(`a closed loop of ${n} connections on ${c} handlers (think ${think} ms) matches exact MVA`, () => {
      const s = scenario({
        seed: 2,
        duration_s: 40,
        warmup_s: 2,
        workload: { type: 'closed', connections: n, think_ms: think },
        server: { concurrency: c },
        handler: [{ cpu: exp(2) }],
      });
      const a = analyticFor(s)!;
      expect(a.model).toBe('MVA');
      const r = simulate(s);
      expect(rel(r.throughput_rps, a.throughput_rps)).toBeLessThan(0.01);
      expect(rel(r.latency_ms.mean, a.latency_mean_ms)).toBeLessThan(0.03);
    });
  }

  it('splits a Poisson stream over instances under the random balancer (M/M/c per instance)', () => {
    const s = scenario({
      seed: 8,
      duration_s: 100,
      warmup_s: 2,
      workload: { type: 'open', rate_rps: 6000 },
      gateway: { balancer: 'random' },
      server: { instances: 3, concurrency: 2 },
      handler: [{ cpu: exp(0.8) }],
    });
    const a = analyticFor(s)!;
    expect(a.model).toBe('M/M/c');
    expect(a.utilization).toBeCloseTo(0.8, 10);
    const r = simulate(s);
    expect(rel(r.latency_ms.mean, a.latency_mean_ms)).toBeLessThan(0.03);
    expect(rel(r.throughput_rps, 6000)).toBeLessThan(0.01);
    // round robin is not a Poisson split: no closed form
    expect(analyticFor({ ...s, gateway: { ...s.gateway, balancer: 'round_robin' } })).toBeNull();
  });

  it('has no analytic answer for a pipeline theory does not cover', () => {
    const s = scenario({
      duration_s: 1,
      workload: { type: 'open', rate_rps: 10 },
      server: { concurrency: 1 },
      handler: [{ cpu: exp(1) }, { cpu: exp(1) }],
    });
    expect(analyticFor(s)).toBeNull();
  });
});
