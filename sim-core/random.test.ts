import { describe, expect, it } from 'vitest';
import { Rng, Zipf } from './random';

describe('seeded random streams', () => {
  it('gives the same sequence for the same (seed, stream) and different ones otherwise', () => {
    const a = new Rng(42, 1);
    const b = new Rng(42, 1);
    const c = new Rng(42, 2);
    const d = new Rng(43, 1);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
    expect(Array.from({ length: 5 }, () => d.uint32())).not.toEqual(xs);
  });

  it('draws uniforms strictly inside (0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Rng(1, 0);
    const n = 400_000;
    let s = 0;
    let s2 = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.float();
      s += u;
      s2 += u * u;
      if (u < lo) lo = u;
      if (u > hi) hi = u;
    }
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(1);
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 3);
  });

  it('samples the exponential by ziggurat with the right mean, variance and tail', () => {
    const r = new Rng(9, 3);
    const n = 1_000_000;
    let s = 0;
    let s2 = 0;
    let over3 = 0;
    let over7 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.exp1();
      s += x;
      s2 += x * x;
      if (x > 3) over3++;
      if (x > 7) over7++;
    }
    expect(s / n).toBeCloseTo(1, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1, 1);
    expect(over3 / n / Math.exp(-3)).toBeCloseTo(1, 1);
    expect(over7 / n / Math.exp(-7)).toBeGreaterThan(0.85);
    expect(over7 / n / Math.exp(-7)).toBeLessThan(1.15);
  });
});

describe('Zipf keys', () => {
  it('matches P(k) ∝ 1/k^s on a small keyspace', () => {
    const z = new Zipf(20, 1.2);
    const r = new Rng(5, 4);
    const n = 400_000;
    const counts = new Array(21).fill(0);
    for (let i = 0; i < n; i++) counts[z.sample(r)]++;
    let h = 0;
    for (let k = 1; k <= 20; k++) h += 1 / k ** 1.2;
    for (const k of [1, 2, 5, 20]) {
      const p = 1 / k ** 1.2 / h;
      expect(counts[k] / n).toBeGreaterThan(p * 0.95);
      expect(counts[k] / n).toBeLessThan(p * 1.05);
    }
    expect(counts[0]).toBe(0);
  });

  it('is uniform at s = 0 and handles a million keys without a table', () => {
    const r = new Rng(5, 4);
    const u = new Zipf(10, 0);
    const counts = new Array(11).fill(0);
    for (let i = 0; i < 100_000; i++) counts[u.sample(r)]++;
    for (let k = 1; k <= 10; k++) expect(counts[k] / 100_000).toBeCloseTo(0.1, 1);
    const big = new Zipf(1_000_000, 1.0);
    let top = 0;
    let max = 0;
    for (let i = 0; i < 200_000; i++) {
      const k = big.sample(r);
      if (k === 1) top++;
      if (k > max) max = k;
    }
    // H(1e6) ≈ ln(1e6) + 0.5772 ≈ 14.39, so the hottest user gets about 7 % of the draws
    expect(top / 200_000).toBeGreaterThan(0.065);
    expect(top / 200_000).toBeLessThan(0.074);
    expect(max).toBeLessThanOrEqual(1_000_000);
    expect(max).toBeGreaterThan(100_000);
  });
});
