import { describe, expect, it } from 'vitest';
import { Sampler, lognormalSigmaFromP99, normalQuantile, Z99 } from './dist';
import { Rng } from './random';
import type { Dist } from './schema';

function draw(d: Dist, n = 200_000, seed = 1): number[] {
  const s = Sampler.of(d);
  const r = new Rng(seed, 2);
  return Array.from({ length: n }, () => s.sample(r));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.ceil(q * xs.length) - 1];
const cv = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) / m;
};

describe('distributions', () => {
  it('exp has the asked mean and cv 1', () => {
    const xs = draw({ dist: 'exp', mean_ms: 4 });
    expect(mean(xs)).toBeCloseTo(4, 1);
    expect(cv(xs)).toBeCloseTo(1, 1);
    expect(quantile(xs, 0.99) / (4 * Math.log(100))).toBeCloseTo(1, 1);
  });

  it('const is constant and uniform spans its range', () => {
    expect(new Set(draw({ dist: 'const', ms: 2.5 }, 100))).toEqual(new Set([2.5]));
    const xs = draw({ dist: 'uniform', min_ms: 2, max_ms: 6 });
    expect(xs.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(2);
    expect(xs.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(6);
    expect(mean(xs)).toBeCloseTo(4, 1);
  });

  it('lognormal by mean + p99 keeps the mean and hits the p99', () => {
    const xs = draw({ dist: 'lognormal', mean_ms: 10, p99_ms: 60 }, 400_000);
    expect(mean(xs) / 10).toBeCloseTo(1, 1);
    expect(quantile(xs, 0.99) / 60).toBeCloseTo(1, 1);
    const sigma = lognormalSigmaFromP99(10, 60);
    expect(Math.exp(Math.log(10) - sigma ** 2 / 2 + Z99 * sigma)).toBeCloseTo(60, 6);
  });

  it('lognormal (inverse-CDF table, exact tails) matches the exact quantiles, P99.9 included', () => {
    const mean_ms = 4;
    const sigma = 1.2;
    const mu = Math.log(mean_ms) - sigma ** 2 / 2;
    const xs = draw({ dist: 'lognormal', mean_ms, sigma }, 1_000_000, 7).sort((a, b) => a - b);
    expect(Math.abs(mean(xs) / mean_ms - 1)).toBeLessThan(0.01);
    for (const q of [0.001, 0.01, 0.5, 0.9, 0.99, 0.999]) {
      const exact = Math.exp(mu + sigma * normalQuantile(q));
      expect(Math.abs(xs[Math.ceil(q * xs.length) - 1] / exact - 1)).toBeLessThan(0.03);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(1e-9)).toBeCloseTo(-5.997807, 4);
  });

  it('lognormal by mean + sigma has cv sqrt(e^σ² − 1)', () => {
    const xs = draw({ dist: 'lognormal', mean_ms: 5, sigma: 0.5 }, 400_000);
    expect(mean(xs) / 5).toBeCloseTo(1, 1);
    expect(cv(xs)).toBeCloseTo(Math.sqrt(Math.expm1(0.25)), 1);
  });

  it('refuses a p99 no lognormal with that mean can reach', () => {
    expect(() => Sampler.of({ dist: 'lognormal', mean_ms: 1, p99_ms: 20 })).toThrow(
      /at most 14.97/,
    );
  });

  it('erlang and gamma have the asked mean and cv', () => {
    const e = draw({ dist: 'erlang', mean_ms: 3, k: 4 });
    expect(mean(e) / 3).toBeCloseTo(1, 1);
    expect(cv(e)).toBeCloseTo(0.5, 1);
    const big = draw({ dist: 'erlang', mean_ms: 3, k: 50 }, 50_000);
    expect(cv(big)).toBeCloseTo(Math.sqrt(1 / 50), 1);
    for (const c of [0.3, 1, 2]) {
      const g = draw({ dist: 'gamma', mean_ms: 8, cv: c }, 300_000);
      expect(mean(g) / 8).toBeCloseTo(1, 1);
      expect(cv(g) / c).toBeCloseTo(1, 1);
    }
  });

  it('empirical resamples the given values', () => {
    const xs = draw({ dist: 'empirical', samples_ms: [1, 2, 10] }, 30_000);
    expect(new Set(xs)).toEqual(new Set([1, 2, 10]));
    expect(mean(xs)).toBeCloseTo(13 / 3, 1);
    const s = Sampler.of({ dist: 'empirical', samples_ms: [1, 2, 10] });
    expect(s.mean).toBeCloseTo(13 / 3, 10);
  });
});
