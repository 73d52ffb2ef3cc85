// The twin: turn a window of observed metrics samples into a scenario the simulator can run —
// the arrival rate from the request counter, the service time as a lognormal fitted to the
// observed mean and P99 of the service histogram, and the worker count as configured (or as the
// workers gauge says). A start-up spike at the head of the window is left out, not averaged in;
// when the window spans 3 or more load levels, the Universal Scalability Law is fitted to them
// (the same fit as `peakline calibrate`) and the scenario runs the work on a host with that
// slowdown. The result validates against ScenarioSchema.
import { FitError, fitUsl, UNLIMITED_CORES } from '../../sim-core/calibrate';
import type { LoadPoint } from '../../sim-core/points';
import { ScenarioSchema, type Scenario } from '../../sim-core/schema';
import type { HistogramDelta, Sample, TwinFit } from '../api/contract';
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

/** Mean latency (ms) of a sample's interval, end to end: its latency histogram, else the metric. */
function latencyOf(s: Sample): number | null {
  const h = s.hist?.latency;
  if (h && h.count > 0) return h.sum_ms / h.count;
  const m = s.metrics.latency_mean_ms;
  return typeof m === 'number' && m > 0 ? m : null;
}

/** Mean service time (ms) of a sample's interval: service histogram, else latency, else metrics. */
function serviceOf(s: Sample): number | null {
  const h = s.hist?.service;
  if (h && h.count > 0) return h.sum_ms / h.count;
  const m = s.metrics.service_mean_ms;
  if (typeof m === 'number' && m > 0) return m;
  return latencyOf(s);
}

/** Latency above this many times the window's median marks a start-up sample. */
export const SPIKE_FACTOR = 2.5;

/**
 * How many samples at the head of the window are a start-up spike (cold caches, JIT, connection
 * storms): the leading run, at most a fifth of the window, whose mean latency is above
 * SPIKE_FACTOR × the median of the window. Needs 5 samples with latencies; otherwise 0.
 */
export function startupSpike(up: Sample[]): number {
  const lat = up.map(latencyOf);
  const known = lat.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (known.length < 5) return 0;
  const median = known[Math.floor(known.length / 2)];
  let k = 0;
  const most = Math.floor(up.length / 5);
  while (k < most) {
    const x = lat[k];
    if (x === null || x <= SPIKE_FACTOR * median) break;
    k++;
  }
  return k;
}

/** A load level: consecutive-in-load samples within 25 % of the level's lowest load. */
export interface LoadLevel {
  concurrency: number;
  throughput_rps: number;
  service_ms: number;
  samples: number;
}

/**
 * Groups samples into load levels by the number of requests in service (Little: rate × service
 * mean): sorted by it, a level starts where the load is more than 25 % above the level's first.
 * Levels of a single sample are dropped (one scrape is too noisy to fit).
 */
export function loadLevels(up: Sample[]): LoadLevel[] {
  const pts: { n: number; x: number; s: number }[] = [];
  for (const smp of up) {
    const x = smp.metrics.request_rate;
    const sv = serviceOf(smp);
    if (typeof x !== 'number' || !(x > 0) || sv === null) continue;
    pts.push({ n: (x * sv) / 1000, x, s: sv });
  }
  pts.sort((a, b) => a.n - b.n);
  const levels: LoadLevel[] = [];
  let i = 0;
  while (i < pts.length) {
    const start = pts[i].n;
    let j = i;
    let n = 0;
    let x = 0;
    let sv = 0;
    while (j < pts.length && pts[j].n <= start * 1.25) {
      n += pts[j].n;
      x += pts[j].x;
      sv += pts[j].s;
      j++;
    }
    const k = j - i;
    if (k >= 2)
      levels.push({ concurrency: n / k, throughput_rps: x / k, service_ms: sv / k, samples: k });
    i = j;
  }
  return levels;
}

/** The USL over the window's load levels, or why there is none. */
function uslOverLevels(up: Sample[]): { usl: TwinFit['usl']; note: string | null } {
  const levels = loadLevels(up);
  if (levels.length < 3)
    return {
      usl: null,
      note: `${levels.length} load level${levels.length === 1 ? '' : 's'} in the window (the USL needs 3)`,
    };
  const lo = levels[0].concurrency;
  const hi = levels[levels.length - 1].concurrency;
  if (!(hi >= 1.5 * lo))
    return { usl: null, note: 'the load levels span less than 1.5× (too narrow to fit the USL)' };
  // levels at one request rate are noise in the service time, not load levels
  const rates = levels.map((l) => l.throughput_rps);
  if (!(Math.max(...rates) >= 1.5 * Math.min(...rates)))
    return {
      usl: null,
      note: 'the request rate varies less than 1.5× across the window (one load level)',
    };
  const points: LoadPoint[] = levels.map((l, i) => ({
    concurrency: l.concurrency,
    throughput_rps: l.throughput_rps,
    mean_ms: l.service_ms,
    source: `level ${i + 1}`,
  }));
  try {
    const f = fitUsl(points);
    return {
      usl: {
        x1_rps: f.x1_rps,
        demand_ms: f.demand_ms,
        sigma: f.sigma,
        kappa: f.kappa,
        peak_concurrency: Number.isFinite(f.peak_concurrency) ? f.peak_concurrency : null,
        r2: f.r2,
        levels: levels.map((l, i) => ({
          concurrency: l.concurrency,
          samples: l.samples,
          throughput_rps: l.throughput_rps,
          fitted_rps: f.points[i].fitted_rps,
          residual: f.points[i].residual,
        })),
      },
      note: null,
    };
  } catch (e) {
    if (e instanceof FitError) return { usl: null, note: e.message };
    throw e;
  }
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
  const all = samples.filter((s) => s.status === 'up' && s.kind !== 'redis' && s.kind !== 'host');
  if (all.length === 0)
    throw new Error('no metrics samples in the window: record a metrics endpoint first');
  const spike = startupSpike(all);
  const up = all.slice(spike);
  const excluded: TwinFit['excluded'] =
    spike > 0
      ? {
          samples: spike,
          until: all[spike - 1].t,
          reason: `mean latency above ${SPIKE_FACTOR}× the window's median`,
        }
      : null;
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
  const { usl, note: uslNote } = uslOverLevels(up);
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
    usl,
    usl_note: uslNote,
    excluded,
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
      `Observed end-to-end P99 ${fit.observed.latency_p99_ms === null ? 'n/a' : `${round(fit.observed.latency_p99_ms)} ms`}.` +
      (excluded
        ? ` Left out ${excluded.samples} start-up sample${excluded.samples === 1 ? '' : 's'} (${excluded.reason}).`
        : '') +
      (usl
        ? ` Over ${usl.levels.length} load levels the USL fits X(1) ${round(usl.x1_rps, 1)} req/s, ` +
          `σ ${round(usl.sigma, 4)}, κ ${round(usl.kappa, 6)} (R² ${round(usl.r2)}): the work runs on a host ` +
          `with that slowdown, its demand alone ${round(usl.demand_ms, 4)} ms.`
        : ''),
    seed: 1,
    duration_s: duration,
    warmup_s: Math.min(5, duration / 10),
    workload: { type: 'open', rate_rps: round(arrival, 3), arrivals: 'poisson' },
    ...(usl
      ? { hosts: { app: { cores: UNLIMITED_CORES, usl: { sigma: usl.sigma, kappa: usl.kappa } } } }
      : {}),
    server: {
      instances: 1,
      concurrency: workers,
      backlog: 1_000_000,
      ...(usl ? { host: 'app' } : {}),
    },
    handler: [
      {
        // with the USL, the demand of a request alone; the slowdown under load comes from the host
        cpu:
          sigma > 0
            ? {
                dist: 'lognormal',
                mean_ms: round(usl ? usl.demand_ms : mean, 4),
                sigma: round(sigma, 4),
              }
            : { dist: 'const', ms: round(usl ? usl.demand_ms : mean, 4) },
      },
    ],
  });
  return { scenario, fit };
}
