// The twin: turn a window of observed metrics samples into a scenario the simulator can run —
// the arrival rate from the request counter, the service time as a lognormal fitted to the
// observed mean and P99 of the service histogram, and the worker count as configured (or as the
// workers gauge says). The result validates against ScenarioSchema.
import { ScenarioSchema, type Scenario } from '../../sim-core/schema';
import type { HistogramDelta, Sample, TwinFit } from './contract';
import { histogramQuantile } from './prom';

/** z of the standard normal at 0.99. */
const Z99 = 2.3263478740408408;

/**
 * Log-space sigma of a lognormal with the given mean and 99th percentile:
 * mean = exp(μ + σ²/2) and p99 = exp(μ + z·σ) give σ²/2 − zσ + ln(p99/mean) = 0; the smaller root.
 * A P99 at or below the mean gives 0; a tail too heavy for any lognormal caps σ at z.
 */
export function lognormalSigma(mean: number, p99: number): number {
  if (!(mean > 0) || !(p99 > mean)) return 0;
  const disc = Z99 * Z99 - 2 * Math.log(p99 / mean);
  return disc <= 0 ? Z99 : Z99 - Math.sqrt(disc);
}

/** Merge histogram interval deltas (same or differing bounds) into one. */
export function mergeHistograms(parts: HistogramDelta[]): {
  bounds: number[];
  counts: number[];
  sum: number;
  count: number;
} {
  // Back from cumulative to per-bucket counts, add per bound, then cumulate again.
  const perBucket = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const h of parts) {
    let prev = 0;
    h.bounds_ms.forEach((b, i) => {
      const bound = b === null ? Infinity : b;
      perBucket.set(bound, (perBucket.get(bound) ?? 0) + (h.counts[i] - prev));
      prev = h.counts[i];
    });
    sum += h.sum_ms;
    count += h.count;
  }
  const bounds = [...perBucket.keys()].sort((a, b) => a - b);
  let run = 0;
  const counts = bounds.map((b) => (run += perBucket.get(b)!));
  return { bounds, counts, sum, count };
}

export interface TwinOptions {
  /** Worker count; otherwise the last `workers` gauge; otherwise 1. */
  workers?: number;
  duration_s?: number;
}

/** Build the twin scenario from a metrics source's samples (already cut to the window). */
export function modelFromSamples(
  samples: Sample[],
  opts: TwinOptions = {},
): { scenario: Scenario; fit: TwinFit } {
  const up = samples.filter((s) => s.status === 'up' && s.kind !== 'redis' && s.kind !== 'host');
  if (up.length === 0)
    throw new Error('no metrics samples in the window: record a metrics endpoint first');
  const source = up[0].source;
  // Arrival rate: time-weighted mean of the request rate.
  let weighted = 0;
  let span = 0;
  for (let i = 0; i < up.length; i++) {
    const r = up[i].metrics.request_rate;
    if (r === null || r === undefined) continue;
    const dt = i > 0 ? Math.max(1, up[i].t - up[i - 1].t) : 1000;
    weighted += r * dt;
    span += dt;
  }
  if (span === 0) throw new Error('no request rate in the window (the counter needs two scrapes)');
  const arrival = weighted / span;
  if (!(arrival > 0)) throw new Error('no requests arrived in the window');
  const service = up
    .map((s) => s.hist?.service ?? s.hist?.latency)
    .filter((h): h is HistogramDelta => !!h);
  const sm = mergeHistograms(service);
  if (sm.count <= 0) throw new Error('no service-time histogram observations in the window');
  const mean = sm.sum / sm.count;
  const p99raw = histogramQuantile(0.99, sm.bounds, sm.counts) ?? mean;
  const p99 = Math.max(p99raw, mean);
  const sigma = lognormalSigma(mean, p99);
  const lat = mergeHistograms(
    up.map((s) => s.hist?.latency).filter((h): h is HistogramDelta => !!h),
  );
  let workers = opts.workers;
  let workersFrom: TwinFit['workers_from'] = 'request';
  if (workers === undefined) {
    const gauge = [...up].reverse().find((s) => typeof s.metrics.workers === 'number')
      ?.metrics.workers;
    if (gauge && gauge >= 1) {
      workers = Math.round(gauge);
      workersFrom = 'metric';
    } else {
      workers = 1;
      workersFrom = 'default';
    }
  }
  const from = up[0].t;
  const to = up[up.length - 1].t;
  const fit: TwinFit = {
    source,
    from,
    to,
    samples: up.length,
    arrival_rps: arrival,
    service_mean_ms: mean,
    service_p99_ms: p99,
    sigma,
    workers,
    workers_from: workersFrom,
    observed: {
      latency_p50_ms: lat.count > 0 ? histogramQuantile(0.5, lat.bounds, lat.counts) : null,
      latency_p99_ms: lat.count > 0 ? histogramQuantile(0.99, lat.bounds, lat.counts) : null,
      throughput_rps: arrival,
    },
  };
  const duration = opts.duration_s ?? 60;
  const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
  const scenario = ScenarioSchema.parse({
    schema: 'peakline.scenario/v1',
    name: `Twin of ${source}`,
    notes:
      `Calibrated from ${up.length} samples of ${source} between ${new Date(from).toISOString()} and ` +
      `${new Date(to).toISOString()}: arrivals ${round(arrival, 1)} req/s (request counter), service time ` +
      `lognormal with mean ${round(mean)} ms and P99 ${round(p99)} ms (sigma ${round(sigma)}) from the ` +
      `${up.some((s) => s.hist?.service) ? 'service' : 'latency'} histogram, ${workers} workers ` +
      `(${workersFrom === 'request' ? 'as configured' : workersFrom === 'metric' ? 'workers gauge' : 'assumed'}). ` +
      `Observed end-to-end P99 ${fit.observed.latency_p99_ms === null ? 'n/a' : `${round(fit.observed.latency_p99_ms)} ms`}.`,
    seed: 1,
    duration_s: duration,
    warmup_s: Math.min(5, duration / 10),
    workload: { type: 'open', rate_rps: round(arrival, 3), arrivals: 'poisson' },
    server: { instances: 1, concurrency: workers, backlog: 1_000_000 },
    handler: [
      {
        cpu:
          sigma > 0
            ? { dist: 'lognormal', mean_ms: round(mean, 4), sigma: round(sigma, 4) }
            : { dist: 'const', ms: round(mean, 4) },
      },
    ],
  });
  return { scenario, fit };
}
