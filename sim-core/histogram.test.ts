import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram';
import { Rng } from './random';

describe('latency histogram', () => {
  it('keeps every quantile within 1 % of the exact sorted quantile, P99.9 included', () => {
    const r = new Rng(3, 1);
    const h = new Histogram();
    const xs: number[] = [];
    for (let i = 0; i < 300_000; i++) {
      // a wide mix: 50 µs .. minutes, lognormal body plus a heavy tail
      const x = Math.exp(Math.log(2) + 1.5 * r.normal()) + (r.float() < 0.01 ? 1000 * r.exp1() : 0);
      xs.push(x);
      h.record(x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999]) {
      const exact = xs[Math.ceil(q * xs.length) - 1];
      expect(Math.abs(h.quantile(q) / exact - 1)).toBeLessThan(0.01);
    }
    expect(h.max).toBe(xs[xs.length - 1]);
    expect(h.min).toBe(xs[0]);
    expect(h.mean()).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 9);
  });

  it('handles hours-long values, zero, merge and reset', () => {
    const h = new Histogram();
    h.record(0);
    h.record(3 * 3600_000);
    h.record(1);
    expect(h.quantile(0.5)).toBeCloseTo(1, 2);
    expect(Math.abs(h.quantile(0.99) / (3 * 3600_000) - 1)).toBeLessThan(0.01);
    const g = new Histogram();
    g.record(5);
    g.merge(h);
    expect(g.count).toBe(4);
    expect(g.max).toBe(3 * 3600_000);
    g.reset();
    expect(g.count).toBe(0);
    expect(g.quantile(0.99)).toBe(0);
  });

  it('gives a monotone CDF ending at 1', () => {
    const h = new Histogram();
    const r = new Rng(1, 1);
    for (let i = 0; i < 10_000; i++) h.record(r.exp1());
    const cdf = h.cdf(100);
    for (let i = 1; i < cdf.length; i++) {
      expect(cdf[i][0]).toBeGreaterThanOrEqual(cdf[i - 1][0]);
      expect(cdf[i][1]).toBeGreaterThan(cdf[i - 1][1]);
    }
    expect(cdf[cdf.length - 1][1]).toBe(1);
  });
});
