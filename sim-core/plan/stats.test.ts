// Confidence intervals of replications: Student t quantiles for any confidence (they agree with
// the simulator's table at 95 %), and intervals of a mean and of a paired difference.
import { describe, expect, it } from 'vitest';
import { tQuantile975 } from '../simulate';
import { meanCi, pairedDiffCi, tCdf, tQuantile } from './stats';

describe('Student t', () => {
  it('agrees with the 95 % table for 1..30 degrees of freedom and tends to the normal', () => {
    for (let df = 1; df <= 30; df++) expect(tQuantile(0.975, df)).toBeCloseTo(tQuantile975(df), 2);
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.96, 2);
    expect(tQuantile(0.995, 4)).toBeCloseTo(4.604, 3);
    expect(tQuantile(0.9, 10)).toBeCloseTo(1.372, 3);
  });

  it('is symmetric and inverts its CDF', () => {
    expect(tQuantile(0.5, 3)).toBe(0);
    expect(tQuantile(0.025, 7)).toBeCloseTo(-tQuantile(0.975, 7), 10);
    for (const df of [1, 2, 5, 40]) expect(tCdf(tQuantile(0.99, df), df)).toBeCloseTo(0.99, 9);
    expect(() => tQuantile(1, 3)).toThrow('p must be in (0, 1)');
  });
});

describe('intervals', () => {
  it('of a mean: t × s / √n, wider at higher confidence', () => {
    const v = [10, 12, 11, 13, 9];
    const ci = meanCi(v);
    const sd = Math.sqrt(2.5);
    expect(ci.mean).toBe(11);
    expect(ci.half_width).toBeCloseTo((tQuantile975(4) * sd) / Math.sqrt(5), 3);
    expect(ci.low).toBeCloseTo(11 - ci.half_width, 12);
    expect(meanCi(v, 0.99).half_width).toBeGreaterThan(ci.half_width);
  });

  it('of one value is unbounded; of equal values is a point; of an infinite value is infinite', () => {
    expect(meanCi([5]).half_width).toBe(Infinity);
    expect(meanCi([0, 0, 0])).toEqual({ mean: 0, half_width: 0, low: 0, high: 0 });
    expect(meanCi([3, Infinity, 4]).low).toBe(Infinity);
  });

  it('of a paired difference cancels what the pairs share (common random numbers)', () => {
    // a shared noise much larger than the effect: the difference is still sure
    const noise = [40, -25, 10, 60, -55];
    const a = noise.map((x) => 100 + x);
    const b = noise.map((x, i) => 103 + x + (i % 2 ? 0.2 : -0.2));
    const d = pairedDiffCi(a, b);
    expect(d.low).toBeGreaterThan(2);
    expect(d.high).toBeLessThan(4);
    // unpaired, the intervals of the two means overlap
    expect(meanCi(a).high).toBeGreaterThan(meanCi(b).low);
  });
});
