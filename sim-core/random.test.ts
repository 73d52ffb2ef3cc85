import { describe, expect, it } from 'vitest';
import { Rng, Zipf, zipfBuckets, zipfMass } from './random';

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

  it('is uniform at s = 0 and handles a million keys', () => {
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

describe('Zipf keys are exact (alias table of exact bucket masses)', () => {
  /** Σ k^-s over lo..hi, summed from the small end up (brute force, for reference). */
  const harmonic = (lo: number, hi: number, s: number) => {
    let h = 0;
    for (let k = hi; k >= lo; k--) h += Math.pow(k, -s);
    return h;
  };
  /** The chi-square value below which a statistic of df degrees lies with probability 0.999. */
  const chi2Crit = (df: number) => df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;

  it('gives each bucket its exact probability to 2^-32 (hot keys are buckets of their own)', () => {
    for (const [n, s] of [
      [1, 0.6],
      [2, 1.2],
      [20, 0.9],
      [4096, 0.6],
      [4097, 1.2],
      [100_000, 0.9],
      [10_000_000, 0.6],
      [10_000_000, 1.2],
    ]) {
      const total = harmonic(1, n, s);
      const buckets = zipfBuckets(n, s);
      expect(buckets[0].first).toBe(1);
      expect(buckets[buckets.length - 1].last).toBe(n);
      expect(buckets.length).toBeLessThanOrEqual(4096);
      let sum = 0;
      let expected = 0;
      for (let b = 0; b < buckets.length; b++) {
        const { first, last, p } = buckets[b];
        if (b > 0) expect(first).toBe(buckets[b - 1].last + 1);
        if (first <= 2048) expect(last).toBe(first);
        // a bucket's exact mass: brute force for the first 50 wide ones and every 20th after
        if (first <= 2048 || b < 2098 || b % 20 === 0) {
          const exact = harmonic(first, last, s) / total;
          expect(Math.abs(p - exact)).toBeLessThan(1.01 * 2 ** -32 + 1e-12 * exact);
        }
        sum += p;
        expected += 1;
      }
      expect(sum).toBeCloseTo(1, 12);
      expect(expected).toBe(buckets.length);
    }
  });

  it('computes wide-bucket masses exactly (Euler–Maclaurin vs brute force)', () => {
    for (const s of [0.1, 0.6, 0.9, 1, 1.2, 2, 3.5])
      for (const [lo, hi] of [
        [2049, 2049],
        [2049, 2057],
        [3000, 3100],
        [5000, 90_000],
        [100_000, 2_000_000],
      ])
        expect(Math.abs(zipfMass(lo, hi, s) / harmonic(lo, hi, s) - 1)).toBeLessThan(1e-13);
  });

  it('passes chi-square tests of hot keys, key ranges and key mod 16 for several (n, s)', () => {
    for (const [n, s] of [
      [3, 0.6],
      [20, 1.2],
      [1000, 0],
      [1000, 0.9],
      [5000, 0.6],
      [100_000, 0.9],
      [10_000_000, 0],
      [10_000_000, 0.6],
      [10_000_000, 0.9],
      [10_000_000, 1.2],
    ]) {
      const draws = 1_000_000;
      const z = new Zipf(n, s);
      const r = new Rng(11, 4);
      // fine bins: keys 1..30 each, then ranges growing by 1.6×; and the shard (k − 1) mod 16
      const edges = [0];
      for (let k = 1; k <= Math.min(n, 30); k++) edges.push(k);
      for (let e = 30; e < n;) edges.push((e = Math.min(n, Math.ceil(e * 1.6))));
      const bins = edges.length - 1;
      const count = new Float64Array(bins);
      const shard = new Float64Array(16);
      let min = n;
      let max = 1;
      let whole = true;
      for (let i = 0; i < draws; i++) {
        const k = z.sample(r);
        if (k < min) min = k;
        if (k > max) max = k;
        if (!Number.isInteger(k)) whole = false;
        let lo = 0;
        let hi = bins - 1;
        while (lo < hi) {
          const m = (lo + hi) >> 1;
          if (k <= edges[m + 1]) hi = m;
          else lo = m + 1;
        }
        count[lo]++;
        shard[(k - 1) % 16]++;
      }
      expect(whole && min >= 1 && max <= n).toBe(true);
      // exact masses by brute force (one pass, from the small end up)
      const mass = new Float64Array(bins);
      const shardMass = new Float64Array(16);
      let total = 0;
      for (let b = bins - 1; b >= 0; b--)
        for (let k = edges[b + 1]; k > edges[b]; k--) {
          const p = Math.pow(k, -s);
          mass[b] += p;
          shardMass[(k - 1) % 16] += p;
          total += p;
        }
      // chi-square over the fine bins merged until each expects at least 20 draws
      let x2 = 0;
      let df = -1;
      let c = 0;
      let e = 0;
      for (let b = 0; b < bins; b++) {
        c += count[b];
        e += (mass[b] / total) * draws;
        if (e >= 20 || b === bins - 1) {
          x2 += (c - e) ** 2 / e;
          df++;
          c = 0;
          e = 0;
        }
      }
      if (df > 0) expect(x2, `keys n=${n} s=${s}`).toBeLessThan(chi2Crit(df));
      const used = Math.min(n, 16);
      let xs = 0;
      for (let m = 0; m < used; m++) {
        const em = (shardMass[m] / total) * draws;
        xs += (shard[m] - em) ** 2 / em;
      }
      if (used > 1) expect(xs, `shards n=${n} s=${s}`).toBeLessThan(chi2Crit(used - 1));
    }
  });

  it('draws the hottest keys of 10^7 at their exact rates (within 4 standard deviations)', () => {
    for (const s of [0.6, 1.2]) {
      const n = 10_000_000;
      const draws = 4_000_000;
      const z = new Zipf(n, s);
      const r = new Rng(3, 4);
      const count = new Float64Array(11);
      for (let i = 0; i < draws; i++) {
        const k = z.sample(r);
        if (k <= 10) count[k]++;
      }
      const total = harmonic(1, n, s);
      for (let k = 1; k <= 10; k++) {
        const p = Math.pow(k, -s) / total;
        const sd = Math.sqrt(draws * p * (1 - p));
        expect(Math.abs(count[k] - draws * p), `k=${k} s=${s}`).toBeLessThan(4 * sd);
      }
    }
  });

  it('is deterministic per seed and shares one table per (n, s)', () => {
    const a = new Zipf(10_000_000, 0.6);
    const b = new Zipf(10_000_000, 0.6);
    const ra = new Rng(8, 4);
    const rb = new Rng(8, 4);
    const xs = Array.from({ length: 1000 }, () => a.sample(ra));
    expect(Array.from({ length: 1000 }, () => b.sample(rb))).toEqual(xs);
    expect(new Set(xs).size).toBeGreaterThan(900);
  });
});
