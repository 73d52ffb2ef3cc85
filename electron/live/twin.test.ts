// The twin from a window of live samples: a start-up spike is left out rather than averaged in,
// and a window that spans several load levels gets the Universal Scalability Law fitted to them,
// with its quality, as `peakline calibrate` fits measured points.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim-core/simulate';
import { usl } from '../../sim-core/theory';
import type { Sample } from '../api/contract';
import { loadLevels, modelFromSamples, startupSpike } from './twin';

const BOUNDS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, null];

/** A histogram delta with `count` observations of mean `mean_ms`, spread over its bucket and the next. */
function hist(mean_ms: number, count: number) {
  const i = BOUNDS.findIndex((b) => b === null || mean_ms <= b);
  let run = 0;
  const counts = BOUNDS.map((_, k) => {
    if (k === i) run += Math.round(count * 0.95);
    if (k === i + 1) run = count;
    return k >= i + 1 ? count : run;
  });
  return { bounds_ms: BOUNDS, counts, sum_ms: mean_ms * count, count };
}

/** A metrics sample at second `t` of a system serving `rate` req/s with service mean `service_ms`. */
function sample(t: number, rate: number, service_ms: number, latency_ms = service_ms): Sample {
  return {
    t: 1_700_000_000_000 + t * 1000,
    id: 'm1',
    kind: 'metrics',
    source: 'http://127.0.0.1:9464/metrics',
    status: 'up',
    error: null,
    metrics: { request_rate: rate, workers: 64 },
    hist: {
      service: hist(service_ms, Math.round(rate)),
      latency: hist(latency_ms, Math.round(rate)),
    },
  };
}

/** Deterministic noise in ±amp. */
function noise(i: number, amp: number): number {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return (x - Math.floor(x) - 0.5) * 2 * amp;
}

/** Samples at loads (requests in service) `levels`, `per` samples each, from a known USL. */
function uslWindow(levels: number[], per: number, law = { x1: 100, sigma: 0.05, kappa: 0.01 }) {
  const out: Sample[] = [];
  let t = 0;
  for (const n of levels) {
    const x = usl(n, law.x1, law.sigma, law.kappa);
    const s = (1000 * n) / x; // Little: n = X · S
    for (let k = 0; k < per; k++, t++) out.push(sample(t, x * (1 + noise(t, 0.02)), s));
  }
  return out;
}

describe('the live twin', () => {
  it('leaves a start-up spike out instead of averaging it in', () => {
    const steady = Array.from({ length: 20 }, (_, i) => sample(i + 2, 200, 4));
    const window = [sample(0, 200, 4, 120), sample(1, 200, 4, 90), ...steady];
    expect(startupSpike(window)).toBe(2);
    const { fit, scenario } = modelFromSamples(window);
    expect(fit.excluded?.samples).toBe(2);
    expect(fit.excluded?.until).toBe(window[1].t);
    expect(fit.samples).toBe(20);
    expect(fit.from).toBe(steady[0].t);
    expect(scenario.notes).toContain('Left out 2 start-up samples');
    // a window with no spike loses nothing
    expect(startupSpike(steady)).toBe(0);
  });

  it('a slow stretch in the middle is load, not start-up: it stays in', () => {
    const w = Array.from({ length: 20 }, (_, i) => sample(i, 200, 4, i >= 8 && i < 12 ? 40 : 4));
    expect(startupSpike(w)).toBe(0);
  });

  it('fits the USL over a window that spans several load levels, with R² and residuals', () => {
    const window = uslWindow([2, 4, 8, 16, 24], 6);
    expect(loadLevels(window)).toHaveLength(5);
    const { fit, scenario } = modelFromSamples(window);
    const u = fit.usl!;
    expect(u).not.toBeNull();
    expect(u.levels).toHaveLength(5);
    expect(u.x1_rps).toBeGreaterThan(90);
    expect(u.x1_rps).toBeLessThan(110);
    expect(u.sigma).toBeLessThan(0.1);
    expect(u.kappa).toBeGreaterThan(0.007);
    expect(u.kappa).toBeLessThan(0.013);
    expect(u.r2).toBeGreaterThan(0.95);
    for (const l of u.levels) expect(Math.abs(l.residual)).toBeLessThan(0.05);
    expect(u.peak_concurrency).toBeGreaterThan(8);
    // the scenario runs the work on a host with that slowdown
    expect(scenario.hosts?.app.usl).toEqual({ sigma: u.sigma, kappa: u.kappa });
    expect(scenario.server.host).toBe('app');
    expect(scenario.notes).toMatch(/Over 5 load levels the USL fits/);
    // replayed at the lowest level's rate it serves that rate, each request taking about what a
    // request took there (10 ms alone, 10.7 ms at 2 in service)
    const low = u.levels[0];
    const r = simulate({
      ...scenario,
      duration_s: 60,
      warmup_s: 2,
      workload: { type: 'open', rate_rps: low.throughput_rps, arrivals: 'poisson', timeout_ms: 0 },
    });
    expect(Math.abs(r.throughput_rps / low.throughput_rps - 1)).toBeLessThan(0.03);
    expect(r.latency_ms.mean).toBeGreaterThan(10);
    expect(r.latency_ms.mean).toBeLessThan(2 * 10.7);
  });

  it('a steady rate with a service time that wanders is one load level, not several', () => {
    // a busy machine: 150 req/s throughout, the service time between 4 and 12 ms
    const w = Array.from({ length: 30 }, (_, i) =>
      sample(i, 150 * (1 + noise(i, 0.05)), 4 + (i % 5) * 2),
    );
    expect(loadLevels(w).length).toBeGreaterThanOrEqual(3);
    const { fit, scenario } = modelFromSamples(w);
    expect(fit.usl).toBeNull();
    expect(fit.usl_note).toBe(
      'the request rate varies less than 1.5× across the window (one load level)',
    );
    expect(scenario.hosts).toBeUndefined();
  });

  it('says why there is no USL when the window holds one load level', () => {
    const { fit, scenario } = modelFromSamples(uslWindow([8], 10));
    expect(fit.usl).toBeNull();
    expect(fit.usl_note).toBe('1 load level in the window (the USL needs 3)');
    expect(scenario.hosts).toBeUndefined();
  });
});
