// Calibration from measured load points: fits the Universal Scalability Law (Gunther) with an
// optional core limit c,
//
//   X(N) = min(N, c) · X1 / (1 + σ(N−1) + κ·N(N−1)),   σ ≥ 0, κ ≥ 0,
//
// to measured throughput at N clients (closed points) or at an offered rate (open points, whose
// N is the mean number in the system by Little's law, N = X · mean). The start is the exact
// linearisation min(N, c)/X = a + b(N−1) + c'N(N−1) (a = 1/X1, b = σ/X1, c' = κ/X1) solved as
// non-negative least squares; a projected Levenberg–Marquardt then minimises the relative
// throughput residuals. Also: the demand's distribution from the tail of the lowest load, and the
// scenario that reproduces the fit (a DB host with those cores and USL). Pure: no Node.
import { lognormalP99Ratio, lognormalSigmaFromCv } from './lognormal';
import type { LoadPoint } from './points';
import type { SimResult } from './result';
import type { Dist, Scenario, ScenarioInput, Step } from './schema';
import { simulate } from './simulate';
import { ldMva } from './theory';

/** The fitted law. `cores` undefined or null = no core limit. */
export interface UslParams {
  x1_rps: number;
  sigma: number;
  kappa: number;
  cores?: number | null;
}

/** Throughput at load n under the USL with an optional core limit. */
export function uslThroughput(n: number, p: UslParams): number {
  const m = p.cores == null ? n : Math.min(n, p.cores);
  return (m * p.x1_rps) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/** One measured point against the fit. */
export interface FitPoint {
  source: string;
  /** The load N: clients of a closed point, or Little's N = X · mean of an open one. */
  concurrency: number;
  /** The offered rate of an open point. */
  rate_rps?: number;
  measured_rps: number;
  fitted_rps: number;
  /** (measured − fitted) / measured. */
  residual: number;
  measured_mean_ms: number;
  /** Little's law for a closed loop without think time: 1000 · N / X(N). */
  fitted_mean_ms: number;
  /** (fitted − measured) / measured. */
  mean_error: number;
}

export interface UslFit {
  x1_rps: number;
  /** 1000 / X1: the time one request keeps the system busy when it is alone. */
  demand_ms: number;
  sigma: number;
  kappa: number;
  /** The core limit c, or null when there is none. */
  cores: number | null;
  /** N* = sqrt((1−σ)/κ), at most c: where throughput peaks (Infinity when it never does). */
  peak_concurrency: number;
  /** X(N*) (X1/σ, or Infinity, when N* is infinite and there is no core limit). */
  peak_throughput_rps: number;
  /** Coefficient of determination of the fitted throughput. */
  r2: number;
  /** Levenberg–Marquardt iterations. */
  iterations: number;
  points: FitPoint[];
}

/** Points that cannot be fitted, or a fit that failed. */
export class FitError extends Error {}

/** The load N of a point (Little's law for an open one). */
export function loadOf(p: LoadPoint): number {
  return p.concurrency ?? (p.throughput_rps * p.mean_ms) / 1000;
}

/**
 * Solves the small dense system M x = v by Gaussian elimination with partial pivoting; null when
 * it is singular (a pivot below `1e-13` of the largest entry).
 */
function solve(M: number[][], v: number[]): number[] | null {
  const n = v.length;
  const a = M.map((row, i) => [...row, v[i]]);
  const scale = Math.max(1e-300, ...M.flat().map(Math.abs));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    if (!(Math.abs(a[p][k]) > 1e-13 * scale)) return null;
    [a[k], a[p]] = [a[p], a[k]];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j <= n; j++) a[i][j] -= f * a[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let k = n - 1; k >= 0; k--) {
    let s = a[k][n];
    for (let j = k + 1; j < n; j++) s -= a[k][j] * x[j];
    x[k] = s / a[k][k];
  }
  return x;
}

/**
 * Non-negative least squares of the linearised USL, rows weighted by 1/y (relative errors): the
 * best of the least-squares solutions on each support that keeps a (= 1/X1) free. The optimum's
 * coefficients are the unconstrained solution on its own support, so the best feasible candidate
 * is the optimum. Ties go to the simpler support (σ alone before κ alone before both).
 */
export function nnlsUsl(
  loads: readonly number[],
  throughputs: readonly number[],
  cores?: number,
): { a: number; b: number; c: number } | null {
  const rows = loads.map((n) => [1, n - 1, n * (n - 1)]);
  const y = loads.map((n, i) => (cores === undefined ? n : Math.min(n, cores)) / throughputs[i]);
  // Column equilibration keeps the normal equations well conditioned at large N.
  const colScale = [0, 1, 2].map((j) => Math.max(1e-300, ...rows.map((r) => Math.abs(r[j]))));
  let best: { x: number[]; ssr: number } | null = null;
  for (const support of [[0], [0, 1], [0, 2], [0, 1, 2]]) {
    const M = support.map(() => support.map(() => 0));
    const v = support.map(() => 0);
    rows.forEach((r, i) => {
      const w = 1 / (y[i] * y[i]);
      support.forEach((j, jj) => {
        v[jj] += (w * r[j] * y[i]) / colScale[j];
        support.forEach((k, kk) => (M[jj][kk] += (w * r[j] * r[k]) / (colScale[j] * colScale[k])));
      });
    });
    const z = solve(M, v);
    if (!z) continue;
    const x = [0, 0, 0];
    support.forEach((j, jj) => (x[j] = z[jj] / colScale[j]));
    if (!(x[0] > 0) || x[1] < 0 || x[2] < 0 || !x.every(Number.isFinite)) continue;
    let ssr = 0;
    rows.forEach((r, i) => (ssr += ((r[0] * x[0] + r[1] * x[1] + r[2] * x[2] - y[i]) / y[i]) ** 2));
    if (!best || ssr < best.ssr * (1 - 1e-9) - 1e-300) best = { x, ssr };
  }
  return best && { a: best.x[0], b: best.x[1], c: best.x[2] };
}

/**
 * Projected Levenberg–Marquardt: minimises Σ r_i(p)² over p with p_j ≥ 0 for j ≥ `freeFrom`. A
 * bound parameter whose gradient pushes it below zero is held there for the step (active set);
 * Marquardt's diagonal scaling makes the steps independent of the parameters' units. `jacobian`
 * gives ∂r_i/∂p_j as rows per residual. `residuals` returns null where the model is undefined.
 */
function projectedLm(
  residuals: (p: readonly number[]) => number[] | null,
  jacobian: (p: readonly number[], r: readonly number[]) => number[][],
  start: readonly number[],
  freeFrom: number,
): { p: number[]; iterations: number } {
  const ssrOf = (r: number[] | null) => (r ? r.reduce((s, e) => s + e * e, 0) : Infinity);
  const idx = start.map((_, j) => j);
  let p = [...start];
  let r = residuals(p);
  let ssr = ssrOf(r);
  let lambda = 1e-3;
  let iterations = 0;
  while (iterations < 500 && r && ssr > 0) {
    iterations++;
    const J = jacobian(p, r);
    const grad = idx.map((j) => J.reduce((s, row, i) => s + row[j] * r![i], 0));
    const free = idx.filter((j) => j < freeFrom || p[j] > 0 || grad[j] < 0);
    const H = free.map((j) => free.map((k) => J.reduce((s, row) => s + row[j] * row[k], 0)));
    let accepted = false;
    while (lambda < 1e16) {
      const A = H.map((row, a) => row.map((h, b) => (a === b ? h * (1 + lambda) : h)));
      const step = solve(
        A,
        free.map((j) => -grad[j]),
      );
      if (step) {
        const q = [...p];
        free.forEach((j, a) => (q[j] = Math.max(0, p[j] + step[a])));
        const rq = q[0] > 0 ? residuals(q) : null;
        const sq = ssrOf(rq);
        if (sq < ssr) {
          const moved = Math.max(
            ...free.map((j, a) => Math.abs(step[a]) / (Math.abs(p[j]) + 1e-12)),
          );
          const gain = (ssr - sq) / ssr;
          p = q;
          r = rq;
          ssr = sq;
          lambda = Math.max(lambda / 10, 1e-12);
          accepted = true;
          if (gain < 1e-14 || moved < 1e-12) return { p, iterations };
          break;
        }
      }
      lambda *= 10;
    }
    if (!accepted) break;
  }
  return { p, iterations };
}

/**
 * Levenberg–Marquardt on r_i = (X(N_i) − X_i)/X_i over p = (X1, σ, κ), σ, κ ≥ 0, with the USL's
 * analytic Jacobian.
 */
function levenbergMarquardt(
  loads: readonly number[],
  xs: readonly number[],
  start: [number, number, number],
  cores?: number,
): { p: [number, number, number]; iterations: number } {
  const residuals = (p: readonly number[]): number[] | null => {
    const r: number[] = [];
    for (let i = 0; i < loads.length; i++) {
      const x = uslThroughput(loads[i], { x1_rps: p[0], sigma: p[1], kappa: p[2], cores });
      if (!Number.isFinite(x) || x < 0) return null;
      r.push((x - xs[i]) / xs[i]);
    }
    return r;
  };
  // X = m·X1/D, D = 1 + σ(N−1) + κN(N−1)
  const jacobian = (p: readonly number[]) =>
    loads.map((n, i) => {
      const m = cores === undefined ? n : Math.min(n, cores);
      const D = 1 + p[1] * (n - 1) + p[2] * n * (n - 1);
      const g = (m * p[0]) / (D * D);
      return [m / D / xs[i], (-g * (n - 1)) / xs[i], (-g * n * (n - 1)) / xs[i]];
    });
  const { p, iterations } = projectedLm(residuals, jacobian, start, 1);
  return { p: p as [number, number, number], iterations };
}

/** Fits the USL (with an optional core limit) to measured points. Throws FitError. */
export function fitUsl(points: readonly LoadPoint[], opts: { cores?: number } = {}): UslFit {
  const { cores } = opts;
  if (cores !== undefined && !(cores >= 1)) throw new FitError(`cores must be >= 1 (got ${cores})`);
  if (points.length < 3)
    throw new FitError(`needs at least 3 load points to fit X(1), σ and κ (got ${points.length})`);
  const loads = points.map(loadOf);
  const xs = points.map((p) => p.throughput_rps);
  const distinct = loads.filter(
    (n, i) => loads.findIndex((m) => Math.abs(m - n) <= 1e-9 * Math.max(m, n)) === i,
  );
  if (distinct.length < 2)
    throw new FitError(
      `needs points at 2 or more different loads (all ${points.length} are at N = ${+loads[0].toPrecision(6)})`,
    );
  const lin = nnlsUsl(loads, xs, cores);
  if (!lin) throw new FitError('the fit failed: the linearised least squares has no solution');
  const { p, iterations } = levenbergMarquardt(
    loads,
    xs,
    [1 / lin.a, lin.b / lin.a, lin.c / lin.a],
    cores,
  );
  const [x1, sigma, kappa] = p;
  if (![x1, sigma, kappa].every(Number.isFinite))
    throw new FitError('the fit failed (a parameter is not finite)');
  if (!(x1 > 0)) throw new FitError(`the fit failed (X(1) = ${x1} is not > 0)`);
  const law: UslParams = { x1_rps: x1, sigma, kappa, cores };
  const fitted = loads.map((n) => uslThroughput(n, law));
  const meanX = xs.reduce((s, x) => s + x, 0) / xs.length;
  let ssRes = 0;
  let ssTot = 0;
  xs.forEach((x, i) => {
    ssRes += (x - fitted[i]) ** 2;
    ssTot += (x - meanX) ** 2;
  });
  const r2 = ssRes <= 1e-24 * meanX * meanX * xs.length ? 1 : 1 - ssRes / ssTot;
  if (!Number.isFinite(r2) && ssTot === 0)
    throw new FitError('the fit failed: every point has the same throughput but the fit does not');
  if (!(r2 >= 0))
    throw new FitError(
      `the fit failed: R² = ${r2.toFixed(3)} < 0 (the USL explains these throughputs worse than their mean)`,
    );
  let peak = sigma >= 1 ? 1 : kappa > 0 ? Math.sqrt((1 - sigma) / kappa) : Infinity;
  if (cores !== undefined) peak = Math.min(peak, cores);
  const peakX = peak === Infinity ? (sigma > 0 ? x1 / sigma : Infinity) : uslThroughput(peak, law);
  return {
    x1_rps: x1,
    demand_ms: 1000 / x1,
    sigma,
    kappa,
    cores: cores ?? null,
    peak_concurrency: peak,
    peak_throughput_rps: peakX,
    r2,
    iterations,
    points: points.map((pt, i) => {
      const fittedMean = (1000 * loads[i]) / fitted[i];
      return {
        source: pt.source,
        concurrency: loads[i],
        ...(pt.concurrency === undefined && pt.rate_rps !== undefined
          ? { rate_rps: pt.rate_rps }
          : {}),
        measured_rps: xs[i],
        fitted_rps: fitted[i],
        residual: (xs[i] - fitted[i]) / xs[i],
        measured_mean_ms: pt.mean_ms,
        fitted_mean_ms: fittedMean,
        mean_error: (fittedMean - pt.mean_ms) / pt.mean_ms,
      };
    }),
  };
}

/** P99/mean assumed when the lowest load reports neither a P99 nor a standard deviation. */
export const DEFAULT_P99_RATIO = 2;
/** The largest P99/mean written (the schema's lognormal limit is ≈ 14.97). */
export const MAX_P99_RATIO = 14.9;

/** The demand's distribution and where its shape came from. */
export interface DemandShape {
  /** The CPU part: runs on the host, slowed by contention. */
  dist: Dist;
  /**
   * Stalls that do not grow with load (a commit's flush, a preemption): `share` of requests wait
   * `ms` more beside their CPU, as a delay. Null when the tails need none.
   */
  stall: { ms: number; share: number } | null;
  /** P99 / mean used for the CPU part (before clamping to MAX_P99_RATIO). */
  ratio: number;
  /** How the shape was found, for notes and the table. */
  from: string;
}

/** Share of requests a stall hits (enough to hold the P99 of a lightly loaded system). */
export const STALL_SHARE = 0.02;
/** The lowest load's P99 must exceed what the CPU shape explains by this factor to add stalls. */
const STALL_MARGIN = 1.25;

/** A lognormal (or a constant at ratio ≤ 1) with this mean and P99/mean. */
function shaped(mean_ms: number, ratio: number): Dist {
  return ratio <= 1
    ? { dist: 'const', ms: mean_ms }
    : { dist: 'lognormal', mean_ms, p99_ms: mean_ms * Math.min(ratio, MAX_P99_RATIO) };
}

/**
 * The demand's shape. A request's latency is its CPU demand, stretched by contention as load
 * grows, plus stalls that do not grow with load. With P99s at a low and a high load (the highest at
 * least twice the lowest): the CPU part is a lognormal with the highest load's P99/mean (there the
 * stretched CPU dominates the tail); where the lowest load's P99 is well above what that shape
 * explains, the rest of its tail is stalls — STALL_SHARE of requests waiting P99 − P50 of that
 * point, a delay that does not grow with load (and the CPU part's mean is the demand less the
 * stalls' mean). Otherwise a lognormal shaped like the lowest load (P99/mean; from its standard
 * deviation when it has no P99; DEFAULT_P99_RATIO when neither), no stalls.
 */
export function demandShape(points: readonly LoadPoint[], demand_ms: number): DemandShape {
  let low = points[0];
  for (const p of points) if (loadOf(p) < loadOf(low)) low = p;
  let high: LoadPoint | null = null;
  for (const p of points)
    if (p.p99_ms !== undefined && (high === null || loadOf(p) > loadOf(high))) high = p;
  if (
    low.p99_ms !== undefined &&
    high !== null &&
    high !== low &&
    loadOf(high) >= 2 * loadOf(low)
  ) {
    const ratio = high.p99_ms! / high.mean_ms;
    const from = `P99/mean at the highest load, ${high.source}`;
    const typical = low.p50_ms ?? low.mean_ms;
    const stallMs = low.p99_ms - typical;
    const cpuMean = demand_ms - STALL_SHARE * stallMs;
    if (low.p99_ms > STALL_MARGIN * ratio * low.mean_ms && stallMs > 0 && cpuMean > 0.5 * demand_ms)
      return {
        dist: shaped(cpuMean, ratio),
        stall: { ms: stallMs, share: STALL_SHARE },
        ratio,
        from: `${from}; stalls from the tail at the lowest load, ${low.source}`,
      };
    return { dist: shaped(demand_ms, ratio), stall: null, ratio, from };
  }
  let ratio: number;
  let from: string;
  if (low.p99_ms !== undefined) {
    ratio = low.p99_ms / low.mean_ms;
    from = `P99/mean at the lowest load, ${low.source}`;
  } else if (low.stddev_ms !== undefined) {
    ratio = lognormalP99Ratio(lognormalSigmaFromCv(low.stddev_ms / low.mean_ms));
    from = `a lognormal with the stddev/mean at the lowest load, ${low.source}`;
  } else {
    ratio = DEFAULT_P99_RATIO;
    from = `the default P99/mean ${DEFAULT_P99_RATIO} (the lowest load has no P99 or stddev)`;
  }
  return { dist: shaped(demand_ms, ratio), stall: null, ratio, from };
}

/** Projected Levenberg–Marquardt with a forward-difference Jacobian (for models with no closed form). */
function lmNumeric(
  residuals: (p: readonly number[]) => number[] | null,
  start: number[],
): number[] {
  const jacobian = (p: readonly number[], r: readonly number[]) => {
    const cols = p.map((pj, j) => {
      const h = Math.max(Math.abs(pj) * 1e-6, 1e-9);
      const q = [...p];
      q[j] = pj + h;
      const rq = residuals(q) ?? r;
      return rq.map((x, i) => (x - r[i]) / h);
    });
    return r.map((_, i) => cols.map((c) => c[i]));
  };
  return projectedLm(residuals, jacobian, start, 1).p;
}

/** Throughput (req/s) of N clients cycling through a delay of `wait_ms` and a USL host. */
export function waitHostThroughput(
  N: number,
  wait_ms: number,
  cpu_ms: number,
  sigma: number,
  kappa: number,
  cores: number | null,
): number {
  const n = Math.round(N);
  const alpha = (j: number) =>
    (cores === null ? j : Math.min(j, cores)) / (1 + sigma * (j - 1) + kappa * j * (j - 1));
  const st = [{ demand: cpu_ms, alpha }];
  if (wait_ms > 0) st.push({ demand: wait_ms, alpha: (j: number) => j });
  return ldMva(n, 0, st).throughput * 1000;
}

/**
 * With stalls of mean `wait_ms` taken out of the demand as a delay (they do not slow down under
 * load), the host sees fewer requests than N: refits the CPU demand, σ and κ so the closed network
 * (a delay and the host, exact MVA) reproduces the measured throughputs. Closed points only; the
 * fit's figures (X(1) = 1000 / (cpu + wait), N*, R², per point) are those of the network.
 */
export function refitWithWait(
  points: readonly LoadPoint[],
  fit: UslFit,
  wait_ms: number,
): { fit: UslFit; cpu_ms: number } {
  const loads = points.map(loadOf);
  const xs = points.map((p) => p.throughput_rps);
  const model = (p: readonly number[], n: number) =>
    waitHostThroughput(n, wait_ms, p[0], p[1], p[2], fit.cores);
  const residuals = (p: readonly number[]) => {
    if (!(p[0] > 0)) return null;
    const r = loads.map((n, i) => (model(p, n) - xs[i]) / xs[i]);
    return r.every(Number.isFinite) ? r : null;
  };
  const p = lmNumeric(residuals, [Math.max(1e-6, fit.demand_ms - wait_ms), fit.sigma, fit.kappa]);
  const [cpu, sigma, kappa] = p;
  const fitted = loads.map((n) => model(p, n));
  const meanX = xs.reduce((a, x) => a + x, 0) / xs.length;
  let ssRes = 0;
  let ssTot = 0;
  xs.forEach((x, i) => {
    ssRes += (x - fitted[i]) ** 2;
    ssTot += (x - meanX) ** 2;
  });
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : 1;
  let peak = sigma >= 1 ? 1 : kappa > 0 ? Math.sqrt((1 - sigma) / kappa) : Infinity;
  if (fit.cores !== null) peak = Math.min(peak, fit.cores);
  return {
    cpu_ms: cpu,
    fit: {
      ...fit,
      x1_rps: 1000 / (cpu + wait_ms),
      demand_ms: cpu + wait_ms,
      sigma,
      kappa,
      peak_concurrency: peak,
      peak_throughput_rps:
        peak === Infinity ? fit.peak_throughput_rps : model(p, Math.max(1, Math.round(peak))),
      r2,
      points: fit.points.map((pt, i) => ({
        ...pt,
        fitted_rps: fitted[i],
        residual: (xs[i] - fitted[i]) / xs[i],
        fitted_mean_ms: (1000 * loads[i]) / fitted[i],
        mean_error: ((1000 * loads[i]) / fitted[i] - pt.measured_mean_ms) / pt.measured_mean_ms,
      })),
    },
  };
}

/**
 * The fit and the demand's shape together: when the shape has stalls and the points are closed
 * loops, σ, κ and the CPU demand are refitted around them (refitWithWait).
 */
export function fitDemand(
  points: readonly LoadPoint[],
  fit: UslFit,
): { fit: UslFit; demand: DemandShape } {
  const demand = demandShape(points, fit.demand_ms);
  if (demand.stall === null || points.some((p) => p.concurrency === undefined))
    return { fit, demand };
  const re = refitWithWait(points, fit, demand.stall.ms * demand.stall.share);
  return { fit: re.fit, demand: { ...demand, dist: shaped(re.cpu_ms, demand.ratio) } };
}

/** Stalls as a delay: `share` of requests wait `ms` (an empirical distribution of 1/share values). */
export function stallDist(stall: DemandShape['stall']): Dist {
  if (stall === null) return { dist: 'const', ms: 0 };
  const n = Math.round(1 / stall.share);
  return { dist: 'empirical', samples_ms: [sig(stall.ms), ...new Array<number>(n - 1).fill(0)] };
}

/** `x` rounded to `digits` significant digits (for the numbers written to a scenario). */
export function sig(x: number, digits = 6): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

export interface CalibrationInput {
  fit: UslFit;
  demand: DemandShape;
  points: readonly LoadPoint[];
  /** Base names of the points files, in order. */
  files: readonly string[];
  /** Detected format(s), e.g. "pgbench-summary". */
  format: string;
  /** Host name (default "db"). */
  host?: string;
  /** The file the scenario is written to (for the notes' example command). */
  out: string;
}

/** Host cores written when the fit has no core limit. */
export const UNLIMITED_CORES = 4096;

const NOTES_MARK = 'Calibrated by peakline calibrate';

function fmt(x: number, digits = 4): string {
  return x === Infinity ? '∞' : String(sig(x, digits));
}

/** The workload of the points: closed at the largest concurrency, or open at the largest rate. */
function workloadOf(points: readonly LoadPoint[]): ScenarioInput['workload'] {
  const closed = points.filter((p) => p.concurrency !== undefined);
  if (closed.length > 0)
    return {
      type: 'closed',
      connections: Math.max(1, Math.round(Math.max(...closed.map((p) => p.concurrency!)))),
    };
  return {
    type: 'open',
    rate_rps: sig(Math.max(...points.map((p) => p.rate_rps ?? p.throughput_rps))),
    arrivals: 'poisson',
  };
}

/** The `--set` that changes the load of a scenario with this workload. */
export function loadSetting(workload: { type: string }): string {
  return workload.type === 'closed' ? 'workload.connections=N' : 'workload.rate_rps=R';
}

function notesOf(c: CalibrationInput, workload: { type: string }): string {
  const f = c.fit;
  const host = c.host ?? 'db';
  const limit = f.cores === null ? '' : `, at most ${f.cores} cores busy`;
  const files = c.files.join(', ');
  return (
    `${NOTES_MARK} from ${c.points.length} measured points of ${files} (${c.format}) with the ` +
    `Universal Scalability Law X(N) = min(N, c)·X(1) / (1 + σ(N−1) + κN(N−1))${limit}: ` +
    `X(1) = ${fmt(f.x1_rps)} req/s (demand ${fmt(f.demand_ms)} ms), σ = ${fmt(f.sigma)} ` +
    `(contention), κ = ${fmt(f.kappa)} (coherency), peak N* = ${fmt(f.peak_concurrency, 3)} ` +
    `at ${fmt(f.peak_throughput_rps)} req/s, R² = ${f.r2.toFixed(4)}. The demand is CPU on ` +
    `host "${host}": ${c.demand.dist.dist}, its shape from ${c.demand.from}` +
    (c.demand.stall
      ? `; ${Math.round(c.demand.stall.share * 100)} % of requests also stall ${fmt(c.demand.stall.ms)} ms ` +
        `(the query's wait: it does not grow with load)`
      : '') +
    `. Predict another load: ` +
    `npx peakline run ${c.out} --set ${loadSetting(workload)}.`
  );
}

/** The host entry of the fit. */
function hostOf(f: UslFit) {
  return {
    cores: f.cores ?? UNLIMITED_CORES,
    usl: { sigma: sig(f.sigma), kappa: sig(f.kappa) },
  };
}

/** The db step whose query is the calibrated demand: CPU on the host, stalls as its wait. */
function dbStep(demand: DemandShape) {
  return { db: { query: { cpu: demand.dist, wait: stallDist(demand.stall) } } };
}

function roundedDist(d: Dist): Dist {
  if (d.dist === 'const') return { dist: 'const', ms: sig(d.ms) };
  if (d.dist === 'lognormal' && d.p99_ms !== undefined)
    return { dist: 'lognormal', mean_ms: sig(d.mean_ms), p99_ms: sig(d.p99_ms) };
  return d;
}

/**
 * The minimal scenario reproducing the fit: the measured workload, nothing in front of the DB
 * (a server and a pool that never limit), one query whose CPU demand runs on a host with the
 * fitted cores and USL.
 */
export function calibratedScenario(c: CalibrationInput): ScenarioInput {
  const host = c.host ?? 'db';
  const workload = workloadOf(c.points);
  const demand = { ...c.demand, dist: roundedDist(c.demand.dist) };
  return {
    schema: 'peakline.scenario/v1',
    name: `Calibrated from ${c.files[0]}`,
    notes: notesOf(c, workload),
    seed: 1,
    duration_s: 20,
    warmup_s: 2,
    workload,
    hosts: { [host]: hostOf(c.fit) },
    server: { concurrency: 100_000, backlog: 100_000 },
    handler: [dbStep(demand)],
    db: {
      pool_size: 100_000,
      acquire_timeout_ms: 0,
      shards: 1,
      shard_concurrency: 100_000,
      host,
    },
  };
}

/**
 * The minimal scenario behind a pool of `pool` connections (a pooler such as pgbouncer in front of
 * the DB, or the application's own pool): clients beyond the pool wait for a connection, so the host
 * sees at most `pool` requests at once. The demand is the fit's, shaped from the points the pool
 * does not limit (load ≤ pool; all points when fewer than two are); the host's σ and κ are left to
 * fitHostBySimulation (start: the USL fit's).
 */
export function pooledScenario(
  fit: UslFit,
  points: readonly LoadPoint[],
  c: { pool: number; files: readonly string[]; format: string; host: string; out: string },
): ScenarioInput {
  const below = points.filter((p) => loadOf(p) <= c.pool + 1e-9);
  const demand = demandShape(below.length >= 2 ? below : points, fit.demand_ms);
  const s = calibratedScenario({
    fit,
    demand,
    points,
    files: c.files,
    format: c.format,
    host: c.host,
    out: c.out,
  });
  const d = roundedDist(demand.dist);
  const shape =
    d.dist === 'lognormal'
      ? `lognormal, mean ${fmt(d.mean_ms)} ms, P99 ${fmt(d.p99_ms!)} ms`
      : d.dist === 'const'
        ? `constant ${fmt(d.ms)} ms`
        : d.dist;
  s.notes =
    `The measured system behind a pool of ${c.pool} connections (calibrate --pool ${c.pool}): ` +
    `clients beyond ${c.pool} wait for a connection, so host "${c.host}" runs at most ${c.pool} ` +
    `queries at once. The query's CPU demand (${shape}) has its shape from ${demand.from}` +
    (demand.stall
      ? `; ${Math.round(demand.stall.share * 100)} % of queries also wait ${fmt(demand.stall.ms)} ms (not slowed by load)`
      : '') +
    '.';
  s.db = { ...s.db!, pool_size: c.pool };
  return s;
}

/** Whether anything in the scenario runs on the named host. */
export function runsOnHost(s: ScenarioInput, host: string): boolean {
  return (
    s.server.host === host ||
    s.db?.host === host ||
    Object.values(s.services ?? {}).some((svc) => svc.host === host)
  );
}

/**
 * A base scenario with the calibration applied: `hosts[host]` = the fitted cores and USL; when
 * nothing in the base runs on that host, its handler becomes the calibrated query on it (and
 * `db.host` names it, with a db section that never limits added if there is none); otherwise its
 * handler is kept (the demand there is the user's). The base's notes get the calibration.
 */
export function applyCalibration(base: ScenarioInput, c: CalibrationInput): ScenarioInput {
  const host = c.host ?? 'db';
  const s = JSON.parse(JSON.stringify(base)) as ScenarioInput;
  s.hosts = { ...(s.hosts ?? {}), [host]: hostOf(c.fit) };
  if (!runsOnHost(base, host)) {
    s.handler = [dbStep({ ...c.demand, dist: roundedDist(c.demand.dist) })];
    s.db = s.db
      ? { ...s.db, host }
      : { pool_size: 100_000, acquire_timeout_ms: 0, shards: 1, shard_concurrency: 100_000, host };
  }
  const kept = (base.notes ?? '').split(`\n\n${NOTES_MARK}`)[0];
  const own = kept.startsWith(NOTES_MARK) ? '' : kept;
  const notes = notesOf(c, s.workload);
  s.notes = own ? `${own}\n\n${notes}` : notes;
  return s;
}

/** One measured point against the simulated base. */
export interface SimFitPoint {
  source: string;
  concurrency: number;
  rate_rps?: number;
  measured_rps: number;
  simulated_rps: number;
  /** (measured − simulated) / measured. */
  residual: number;
  measured_mean_ms: number;
  simulated_mean_ms: number;
  measured_p99_ms?: number;
  simulated_p99_ms: number;
}

export interface SimFit {
  sigma: number;
  kappa: number;
  /** The host's core_speedup, when fitted with σ and κ (fitHostAndSpeedup). */
  core_speedup?: number;
  /** Of the measured throughputs by the simulated ones. */
  r2: number;
  /** Candidate (σ, κ) pairs simulated. */
  evaluations: number;
  points: SimFitPoint[];
}

/** The base scenario at one measured load, with the host's USL set to (σ, κ). */
export function atLoad(
  base: Scenario,
  host: string,
  p: LoadPoint,
  sigma: number,
  kappa: number,
  duration_s: number,
): Scenario {
  const workload: Scenario['workload'] =
    p.concurrency !== undefined
      ? {
          type: 'closed',
          connections: Math.max(1, Math.round(p.concurrency)),
          think_ms: 0,
          timeout_ms: 0,
        }
      : {
          type: 'open',
          rate_rps: p.rate_rps ?? p.throughput_rps,
          arrivals: 'poisson',
          timeout_ms: 0,
        };
  return {
    ...base,
    duration_s,
    warmup_s: Math.min(base.warmup_s, duration_s / 5),
    workload,
    hosts: {
      ...base.hosts,
      [host]: { ...base.hosts![host], usl: { ...base.hosts![host].usl, sigma, kappa } },
    },
  };
}

/**
 * Fits the USL of one host of a scenario that models the system from its parts (a base that runs
 * on that host: transactions, locks, pools stay as the user wrote them) by simulating it at each
 * measured load: a grid over σ and κ, then a finer one around the best, minimising the squared
 * relative throughput errors. Deterministic (the base's seed). `onProgress` gets 0..1.
 */
export function fitHostBySimulation(
  base: Scenario,
  host: string,
  points: readonly LoadPoint[],
  opts: { duration_s?: number; onProgress?: (f: number) => void } = {},
): SimFit {
  if (!base.hosts?.[host]) throw new FitError(`the base has no host "${host}" in "hosts"`);
  if (points.length < 2)
    throw new FitError(`needs at least 2 load points to fit σ and κ (got ${points.length})`);
  const duration = Math.min(base.duration_s, opts.duration_s ?? 10);
  const coarseS = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5];
  const coarseK = [0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2];
  const total = coarseS.length * coarseK.length + 25;
  let done = 0;
  // the best candidate keeps its runs, so the report needs no second simulation of it
  let best: { s: number; k: number; e: number; sims: SimResult[] } = {
    s: 0,
    k: 0,
    e: Infinity,
    sims: [],
  };
  const tryAt = (s: number, k: number) => {
    const sims = points.map((p) => simulate(atLoad(base, host, p, s, k, duration)));
    let e = 0;
    sims.forEach(
      (r, i) =>
        (e += ((r.throughput_rps - points[i].throughput_rps) / points[i].throughput_rps) ** 2),
    );
    done++;
    opts.onProgress?.(done / total);
    if (e < best.e) best = { s, k, e, sims };
  };
  for (const s of coarseS) for (const k of coarseK) tryAt(s, k);
  const around = (x: number, unit: number) =>
    x > 0 ? [0.6, 0.8, 1.25, 1.5].map((f) => x * f) : [unit / 4, unit / 2];
  const { s: s0, k: k0 } = best;
  for (const s of [s0, ...around(s0, 0.01)])
    for (const k of [k0, ...around(k0, 1e-5)]) if (s !== s0 || k !== k0) tryAt(s, k);
  opts.onProgress?.(1);
  const sims = best.sims;
  const xs = points.map((p) => p.throughput_rps);
  const meanX = xs.reduce((a, x) => a + x, 0) / xs.length;
  let ssRes = 0;
  let ssTot = 0;
  xs.forEach((x, i) => {
    ssRes += (x - sims[i].throughput_rps) ** 2;
    ssTot += (x - meanX) ** 2;
  });
  return {
    sigma: best.s,
    kappa: best.k,
    r2: ssTot > 0 ? 1 - ssRes / ssTot : 1,
    evaluations: done,
    points: points.map((p, i) => ({
      source: p.source,
      concurrency: loadOf(p),
      ...(p.concurrency === undefined && p.rate_rps !== undefined ? { rate_rps: p.rate_rps } : {}),
      measured_rps: p.throughput_rps,
      simulated_rps: sims[i].throughput_rps,
      residual: (p.throughput_rps - sims[i].throughput_rps) / p.throughput_rps,
      measured_mean_ms: p.mean_ms,
      simulated_mean_ms: sims[i].latency_ms.mean,
      ...(p.p99_ms !== undefined ? { measured_p99_ms: p.p99_ms } : {}),
      simulated_p99_ms: sims[i].latency_ms.p99,
    })),
  };
}

/** What fitHostAndSpeedup found: the σ–κ fit at the best speedup, and the demand scale there. */
export interface SpeedupFit {
  fit: SimFit & { core_speedup: number };
  /** The demand scale fitted at that speedup (null without `fitDemand`). */
  scaled: DemandScale | null;
}

/**
 * Fits a host's core_speedup (how much more work its cores do together than one) with its σ and
 * κ: at speedups from the cores down to 1 (six steps, then the two next to the best), the demand
 * is fitted again at that speedup (with `fitDemand`: fitDemandScale, so the lowest load comes out
 * at each) and σ and κ by fitHostBySimulation; the speedup whose throughputs come closest (least
 * squared relative errors) wins. Cores that slow each other flatten the curve early, where a σ
 * that bends it at 8 clients cannot also hold it at 64. Deterministic (the base's seed).
 */
export function fitHostAndSpeedup(
  base: Scenario,
  host: string,
  points: readonly LoadPoint[],
  opts: {
    duration_s?: number;
    onProgress?: (f: number) => void;
    fitDemand?: boolean;
    /** Fit the host's cold starts with the demand (fitDemandScale's `cold`). */
    cold?: boolean;
  } = {},
): SpeedupFit {
  const h = base.hosts?.[host];
  if (!h) throw new FitError(`the base has no host "${host}" in "hosts"`);
  if (h.cores < 2)
    throw new FitError(`host "${host}" has 1 core: a core speedup needs at least 2 (give --cores)`);
  const speedAt = (f: number) => sig(1 + (h.cores - 1) * f, 4);
  const coarse = [1, 0.8, 0.6, 0.4, 0.25, 0.1];
  const total = coarse.length + 2;
  let done = 0;
  let evaluations = 0;
  let best: (SpeedupFit & { e: number; f: number }) | null = null;
  const tryAt = (f: number) => {
    const core_speedup = speedAt(f);
    let b: Scenario = { ...base, hosts: { ...base.hosts, [host]: { ...h, core_speedup } } };
    const scaled = opts.fitDemand
      ? fitDemandScale(b, host, points, { duration_s: opts.duration_s, cold: opts.cold })
      : null;
    if (scaled) b = applyDemand(b, scaled);
    const fit = fitHostBySimulation(b, host, points, {
      duration_s: opts.duration_s,
      onProgress: (x) => opts.onProgress?.((done + x) / total),
    });
    done++;
    evaluations += fit.evaluations;
    const e = fit.points.reduce((a, p) => a + p.residual ** 2, 0);
    if (!best || e < best.e) best = { fit: { ...fit, core_speedup }, scaled, e, f };
  };
  for (const f of coarse) tryAt(f);
  const f0 = best!.f;
  for (const f of [f0 - 0.075, f0 + 0.075]) if (f >= 0 && f <= 1) tryAt(f);
  opts.onProgress?.(1);
  const { fit, scaled } = best!;
  return { fit: { ...fit, evaluations }, scaled };
}

/** `d` with every time multiplied by `f` (its shape kept). */
export function scaleDist(d: Dist, f: number): Dist {
  const k = (x: number) => sig(x * f);
  switch (d.dist) {
    case 'exp':
      return { ...d, mean_ms: k(d.mean_ms) };
    case 'const':
      return { ...d, ms: k(d.ms) };
    case 'uniform':
      return { ...d, min_ms: k(d.min_ms), max_ms: k(d.max_ms) };
    case 'lognormal':
      return d.p99_ms !== undefined
        ? { ...d, mean_ms: k(d.mean_ms), p99_ms: k(d.p99_ms) }
        : { ...d, mean_ms: k(d.mean_ms) };
    case 'erlang':
    case 'gamma':
      return { ...d, mean_ms: k(d.mean_ms) };
    case 'empirical':
      return { ...d, samples_ms: d.samples_ms.map(k) };
  }
}

/**
 * A query's time, scaled: one distribution is time the query holds its shard (a wait, `fw`); a
 * split one has its CPU part scaled by `fc` and its wait by `fw`.
 */
function scaleQuery<Q extends Dist | { cpu: Dist; wait?: Dist }>(q: Q, fc: number, fw: number): Q {
  if ('dist' in q) return scaleDist(q, fw) as Q;
  return { ...q, cpu: scaleDist(q.cpu, fc), ...(q.wait ? { wait: scaleDist(q.wait, fw) } : {}) };
}

function scaleSteps(steps: readonly Step[], fc: number, fw: number): Step[] {
  return steps.map((st): Step => {
    if ('cpu' in st) return { cpu: scaleDist(st.cpu, fc) };
    if ('db' in st) return { db: { ...st.db, query: scaleQuery(st.db.query, fc, fw) } };
    if ('cache' in st)
      return {
        cache: {
          ...st.cache,
          lookup: scaleDist(st.cache.lookup, fw),
          miss_query: scaleQuery(st.cache.miss_query, fc, fw),
        },
      };
    if ('call' in st) return { call: { ...st.call, time: scaleDist(st.call.time, fw) } };
    if ('lock' in st)
      return {
        lock: {
          ...st.lock,
          ...(st.lock.overhead ? { overhead: scaleDist(st.lock.overhead, fw) } : {}),
          steps: scaleSteps(st.lock.steps, fc, fw),
        },
      };
    if ('transaction' in st)
      return {
        transaction: { ...st.transaction, steps: scaleSteps(st.transaction.steps, fc, fw) },
      };
    return st;
  });
}

/**
 * The scenario with the time of everything a request does multiplied by `f`: every step's
 * distribution (handler and async), the DB round trip, a pooler's CPU, the commit flush and a co-located load
 * generator's CPU. Not think times, timeouts or arrival rates: the demand, not the workload.
 */
export function scaleDemand<S extends ScenarioInput | Scenario>(s: S, f: number): S {
  return scaleDemandParts(s, f, f);
}

/**
 * scaleDemand with CPU and waiting scaled apart: `fc` multiplies the CPU (`cpu` steps, a query's
 * or the commit flush's `cpu` part, a pooler's and a load generator's CPU), `fw` everything else a
 * request waits for (a query's time or its `wait` part, calls, cache lookups, lock overheads, the
 * DB round trip, the commit flush's disk part).
 */
export function scaleDemandParts<S extends ScenarioInput | Scenario>(
  s: S,
  fc: number,
  fw: number,
): S {
  const out = JSON.parse(JSON.stringify(s)) as S;
  out.handler = scaleSteps(s.handler as Step[], fc, fw) as S['handler'];
  if (s.async && out.async) out.async.steps = scaleSteps(s.async.steps as Step[], fc, fw) as never;
  if (s.db?.rtt_ms !== undefined && out.db) out.db.rtt_ms = sig(s.db.rtt_ms * fw);
  if (s.db?.pooler && out.db?.pooler) out.db.pooler.cpu = scaleDist(s.db.pooler.cpu, fc);
  if (s.db?.commit_flush && out.db) out.db.commit_flush = scaleQuery(s.db.commit_flush, fc, fw);
  for (const [name, h] of Object.entries(s.hosts ?? {}))
    if (h.client) out.hosts![name].client = { ...h.client, cpu: scaleDist(h.client.cpu, fc) };
  return out;
}

/** The base with the demand fitDemandScale fitted: one factor, or the CPU and the waits apart. */
export function applyDemand<S extends ScenarioInput | Scenario>(base: S, d: DemandScale): S {
  const out = scaleDemandParts(base, d.cpu?.scale ?? d.scale, d.scale);
  const cold = d.cpu?.cold;
  if (cold && out.hosts?.[cold.host])
    out.hosts[cold.host] = { ...out.hosts[cold.host], cold_start_ms: cold.ms };
  return out;
}

/** The factors fitted by fitDemandScale and how close they came. */
export interface DemandScale {
  /** The factor on the demand; with `cpu`, on everything but the CPU. */
  scale: number;
  /** The lowest-load point it was fitted to. */
  source: string;
  measured_mean_ms: number;
  simulated_mean_ms: number;
  /** When the points give cpu_ms: the factor on the CPU and the point it was taken from. */
  cpu?: {
    scale: number;
    source: string;
    measured_ms: number;
    simulated_ms: number;
    /**
     * With `cold` (--fit-cold): host.cold_start_ms, fitted so that the model spends the CPU
     * measured at the lowest load there (`at`, `measured_ms`; `simulated_ms` what it spends).
     */
    cold?: { host: string; ms: number; at: string; measured_ms: number; simulated_ms: number };
  };
}

/** CPU per completed request on every machine of the model (ms): cores in use / throughput. */
export function cpuPerRequest(r: SimResult): number {
  let busy = 0;
  for (const st of Object.values(r.stations))
    if (st?.kind === 'host') busy += st.utilization * st.servers;
  return r.throughput_rps > 0 ? (busy / r.throughput_rps) * 1000 : 0;
}

/**
 * The factor on a base's demand (scaleDemand) that makes it reproduce the mean latency of the
 * lowest measured load, simulated without contention (σ = κ = 0): the base says how a request's
 * time splits into its parts, the lowest load how long it takes in all. There a request's latency
 * is nearly proportional to the demand, so a few fixed-point steps converge (to 0.2 %).
 *
 * When points give the CPU a request used (`cpu_ms`), CPU and waiting are fitted apart
 * (scaleDemandParts): the CPU to the least measured — what a request needs when the machine runs
 * it most efficiently; what a lightly loaded machine spends more, waking up for each request, it
 * spends while the request would otherwise wait — and the waits so that the lowest load's mean
 * latency comes out (secant steps, to 0.2 %).
 */
export function fitDemandScale(
  base: Scenario,
  host: string,
  points: readonly LoadPoint[],
  opts: { duration_s?: number; cold?: boolean } = {},
): DemandScale {
  if (!base.hosts?.[host]) throw new FitError(`the base has no host "${host}" in "hosts"`);
  if (points.length === 0) throw new FitError('needs a load point to fit the demand to');
  let low = points[0];
  for (const p of points) if (loadOf(p) < loadOf(low)) low = p;
  const duration = Math.min(base.duration_s, opts.duration_s ?? 10);
  const withCpu = points.filter((p) => p.cpu_ms !== undefined);
  if (opts.cold && low.cpu_ms === undefined)
    throw new FitError(
      `--fit-cold needs the CPU a request used at the lowest load (a cpu_ms at ${low.source})`,
    );
  if (withCpu.length > 0)
    return fitCpuAndWaits(base, host, low, withCpu, duration, opts.cold === true);
  let f = 1;
  let m = NaN;
  for (let i = 0; i < 8; i++) {
    const r = simulate(atLoad(scaleDemand(base, f), host, low, 0, 0, duration));
    m = r.latency_ms.mean;
    if (!(r.throughput_rps > 0 && m > 0))
      throw new FitError(`the base serves nothing at ${low.source}`);
    const ratio = low.mean_ms / m;
    if (Math.abs(ratio - 1) < 0.002) break;
    f *= ratio;
  }
  return { scale: f, source: low.source, measured_mean_ms: low.mean_ms, simulated_mean_ms: m };
}

function fitCpuAndWaits(
  base: Scenario,
  host: string,
  low: LoadPoint,
  withCpu: readonly LoadPoint[],
  duration: number,
  fitCold: boolean,
): DemandScale {
  let least = withCpu[0];
  for (const p of withCpu) if (p.cpu_ms! < least.cpu_ms!) least = p;
  // the base scaled (and, with --fit-cold, given the host's cold starts), at the lowest load
  const at = (fc: number, fw: number, coldMs = 0) => {
    let s = scaleDemandParts(base, fc, fw);
    if (coldMs > 0)
      s = { ...s, hosts: { ...s.hosts, [host]: { ...s.hosts![host], cold_start_ms: coldMs } } };
    const r = simulate(atLoad(s, host, low, 0, 0, duration));
    if (!(r.throughput_rps > 0 && r.latency_ms.mean > 0))
      throw new FitError(`the base serves nothing at ${low.source}`);
    return r;
  };
  const first = at(1, 1);
  const c1 = cpuPerRequest(first);
  if (!(c1 > 0))
    throw new FitError(
      `${least.source} gives cpu_ms, but the base spends no CPU on its hosts (give its steps a ` +
        `cpu part on a host, or leave cpu_ms out)`,
    );
  const fc = least.cpu_ms! / c1;
  let cold: NonNullable<DemandScale['cpu']>['cold'];
  if (fitCold) {
    // the CPU a request at the lowest load spends over the least measured goes to cold starts:
    // the model's CPU a request is linear in cold_start_ms (as many cold stints whatever it is),
    // so a secant step from none hits the lowest load's CPU (one more step for the rounding)
    const want = low.cpu_ms!;
    const cpuAt = (ms: number) => cpuPerRequest(at(fc, 1, ms));
    const c0 = cpuAt(0);
    let ms = 0;
    let c = c0;
    if (want > c0) {
      const probe = (want - c0) / 4;
      const cp = cpuAt(probe);
      if (!(cp > c0))
        throw new FitError(
          `--fit-cold: no stint of the base starts on an idle host "${host}" at ${low.source}, ` +
            `so cold starts cannot make up its CPU (${want} ms a request against ${sig(c0, 3)})`,
        );
      ms = (probe * (want - c0)) / (cp - c0);
      c = cpuAt(ms);
      if (Math.abs(c / want - 1) >= 0.002 && c > c0) {
        ms *= (want - c0) / (c - c0);
        c = cpuAt(ms);
      }
    }
    cold = { host, ms: sig(ms, 4), at: low.source, measured_ms: want, simulated_ms: sig(c, 4) };
  }
  // the mean latency is close to linear in the factor on the waits: secant steps from 1 and ½
  const point = (fw: number) => {
    const r = at(fc, fw, cold?.ms);
    return { fw, m: r.latency_ms.mean, r };
  };
  let a = point(1);
  let b = point(0.5);
  let best = Math.abs(a.m - low.mean_ms) < Math.abs(b.m - low.mean_ms) ? a : b;
  for (let i = 0; i < 8 && Math.abs(best.m / low.mean_ms - 1) >= 0.002; i++) {
    const slope = (a.m - b.m) / (a.fw - b.fw);
    if (!(slope > 0))
      throw new FitError(
        `the base has nothing but CPU to make up the mean latency of ${low.mean_ms} ms at ` +
          `${low.source} (its waits do not lengthen it)`,
      );
    let fw = a.fw + (low.mean_ms - a.m) / slope;
    if (!(fw > 0)) {
      const none = at(fc, 1e-6, cold?.ms).latency_ms.mean;
      if (none >= low.mean_ms)
        throw new FitError(
          `the CPU measured at ${least.source} (${least.cpu_ms} ms a request) gives the base a ` +
            `mean latency of ${sig(none, 3)} ms at ${low.source} even with no waiting, more than ` +
            `the ${low.mean_ms} ms measured there`,
        );
      // the mean is not linear down to no waiting (the secant overshot past it): halve instead
      fw = Math.min(a.fw, b.fw) / 2;
    }
    b = a;
    a = point(fw);
    if (Math.abs(a.m - low.mean_ms) < Math.abs(best.m - low.mean_ms)) best = a;
  }
  return {
    scale: best.fw,
    source: low.source,
    measured_mean_ms: low.mean_ms,
    simulated_mean_ms: best.m,
    cpu: {
      scale: fc,
      source: least.source,
      measured_ms: least.cpu_ms!,
      simulated_ms: cpuPerRequest(best.r),
      ...(cold ? { cold } : {}),
    },
  };
}
