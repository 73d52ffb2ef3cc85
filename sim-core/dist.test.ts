import { describe, expect, it } from 'vitest';
import { Sampler, gammaCdf, gammaQuantile, lnGamma, normalQuantile } from './dist';
import { lognormalSigmaFromP99, Z99 } from './lognormal';
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

  it('lnGamma, the incomplete gamma functions and the gamma quantile are exact', () => {
    let f = 1;
    for (let n = 1; n < 30; n++) {
      expect(Math.abs(lnGamma(n) - Math.log(f))).toBeLessThan(1e-14 * Math.max(1, Math.log(f)));
      f *= n;
    }
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    // shape 1 is the exponential; integer shapes are Erlang, Q(k, x) = e^-x Σ_{j<k} x^j / j!
    const erlangQ = (k: number, x: number) => {
      let s = 0;
      let t = 1;
      for (let j = 0; j < k; j++) {
        s += t;
        t *= x / (j + 1);
      }
      return Math.exp(-x) * s;
    };
    for (const p of [1e-9, 1e-4, 0.01, 0.5, 0.9, 0.999]) {
      expect(gammaQuantile(p, 1) / -Math.log1p(-p)).toBeCloseTo(1, 12);
      expect(gammaQuantile(p, 1, true) / -Math.log(p)).toBeCloseTo(1, 12);
      expect(erlangQ(4, gammaQuantile(p, 4, true)) / p).toBeCloseTo(1, 10);
      expect(erlangQ(4, gammaQuantile(1 - p, 4)) / p).toBeCloseTo(1, 6); // 1 − p rounds
    }
    // chi-square with 10 degrees of freedom is Gamma(5, 2): its 0.95 and 0.999 points
    expect(2 * gammaQuantile(0.95, 5)).toBeCloseTo(18.307038, 5);
    expect(2 * gammaQuantile(0.001, 5, true)).toBeCloseTo(29.588298, 5);
    for (const a of [0.3, 1.25, 4, 37.5, 1000])
      for (const p of [2.3e-10, 1e-6, 0.003, 0.2, 0.5]) {
        expect(gammaCdf(a, gammaQuantile(p, a)) / p).toBeCloseTo(1, 10);
        expect(gammaCdf(a, gammaQuantile(p, a, true), true) / p).toBeCloseTo(1, 10);
      }
  });

  it('gamma and erlang (inverse-CDF tables) match the exact quantile function everywhere', () => {
    // every 2^32 / 100,000-th draw, and 20,000 draws spread over each far tail (down to 2^-33)
    for (const [shape, d] of [
      [4, { dist: 'gamma', mean_ms: 1, cv: 0.5 }],
      [1, { dist: 'erlang', mean_ms: 2, k: 1 }],
      [1 / 0.3 ** 2, { dist: 'gamma', mean_ms: 8, cv: 0.3 }],
      [50, { dist: 'erlang', mean_ms: 3, k: 50 }],
      [1.5, { dist: 'gamma', mean_ms: 3, cv: Math.sqrt(1 / 1.5) }],
    ] as const) {
      const s = Sampler.of(d);
      const scale = d.mean_ms / shape;
      let u = 0;
      const fake = { uint32: () => u } as unknown as Rng;
      let body = 0;
      let tail = 0;
      const check = (v: number) => {
        u = v;
        const exact =
          u < 2 ** 31
            ? gammaQuantile((u + 0.5) / 2 ** 32, shape)
            : gammaQuantile((2 ** 32 - 0.5 - u) / 2 ** 32, shape, true);
        const err = Math.abs(s.sample(fake) / (scale * exact) - 1);
        if (u >>> 20 < 16 || u >>> 20 >= 4080) tail = Math.max(tail, err);
        else body = Math.max(body, err);
      };
      for (let k = 0; k < 100_000; k++) check(Math.floor(((k + 0.37) / 100_000) * 2 ** 32));
      for (let k = 0; k < 20_000; k++) {
        const v = Math.floor(2 ** ((24 * k) / 20_000)) - 1;
        check(v);
        check(2 ** 32 - 1 - v);
      }
      // the lognormal table's own edge error is 2.4e-4 (σ = 1.2)
      expect(body, `body ${JSON.stringify(d)}`).toBeLessThan(1.2e-4);
      expect(tail, `tails ${JSON.stringify(d)}`).toBeLessThan(2e-6);
    }
  });

  it('gamma and erlang draws keep the mean, the cv and the quantiles up to P99.9', () => {
    for (const [shape, d] of [
      [4, { dist: 'gamma', mean_ms: 1, cv: 0.5 }],
      [1 / 0.3 ** 2, { dist: 'gamma', mean_ms: 8, cv: 0.3 }],
      [1, { dist: 'gamma', mean_ms: 8, cv: 1 }],
      [0.25, { dist: 'gamma', mean_ms: 8, cv: 2 }],
      [4, { dist: 'erlang', mean_ms: 3, k: 4 }],
      [50, { dist: 'erlang', mean_ms: 3, k: 50 }],
      [2500, { dist: 'gamma', mean_ms: 3, cv: 0.02 }],
    ] as const) {
      // a typed array sorts numerically and several times faster than Array#sort with a comparator
      const xs = Array.from(Float64Array.from(draw(d, 1_000_000, 7)).sort());
      const what = JSON.stringify(d);
      expect(Math.abs(mean(xs) / d.mean_ms - 1), what).toBeLessThan(0.01);
      expect(Math.abs(cv(xs) * Math.sqrt(shape) - 1), what).toBeLessThan(0.01);
      for (const q of [0.001, 0.01, 0.5, 0.9, 0.99, 0.999]) {
        const x = xs[Math.ceil(q * xs.length) - 1];
        // the CDF at the sample quantile is q within 4 standard errors ...
        const f = gammaCdf(shape, (x * shape) / d.mean_ms);
        expect(Math.abs(f - q), `${what} F(x_q) q=${q}`).toBeLessThan(
          4 * Math.sqrt((q * (1 - q)) / xs.length),
        );
        // ... and from the median up the quantile is within 3 % (below it, where Q(q) grows like
        // q^(1/shape), sampling noise alone is that large: the exactness test above covers it)
        if (q >= 0.5) {
          const exact = (d.mean_ms / shape) * gammaQuantile(q, shape);
          expect(Math.abs(x / exact - 1), `${what} q=${q}`).toBeLessThan(0.03);
        }
      }
    }
    // 7 × a million draws: about 2 s here; a budget with room for a machine several times slower
  }, 30_000);

  it('samples the same sequence for the same seed', () => {
    for (const d of [
      { dist: 'gamma', mean_ms: 1, cv: 0.5 },
      { dist: 'gamma', mean_ms: 1, cv: 3 },
      { dist: 'erlang', mean_ms: 2, k: 3 },
    ] as const)
      expect(draw(d, 1000, 5)).toEqual(draw(d, 1000, 5));
  });

  it('empirical resamples the given values', () => {
    const xs = draw({ dist: 'empirical', samples_ms: [1, 2, 10] }, 30_000);
    expect(new Set(xs)).toEqual(new Set([1, 2, 10]));
    expect(mean(xs)).toBeCloseTo(13 / 3, 1);
    const s = Sampler.of({ dist: 'empirical', samples_ms: [1, 2, 10] });
    expect(s.mean).toBeCloseTo(13 / 3, 10);
  });
});
