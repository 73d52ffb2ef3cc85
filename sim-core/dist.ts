// Service- and think-time distributions: compiles a schema `Dist` into a `Sampler` (one class, a
// switch on an integer kind, so every call site stays monomorphic in V8) and exposes each
// distribution's mean and squared coefficient of variation for the closed-form formulas.
import type { Dist } from './schema';
import type { Rng } from './random';

const K_CONST = 0;
const K_EXP = 1;
const K_UNIFORM = 2;
const K_LOGNORMAL = 3;
const K_ERLANG = 4;
const K_GAMMA = 5;
const K_EMPIRICAL = 6;

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9):
 * the quantile z with Φ(z) = p, for 0 < p < 1.
 */
export function normalQuantile(p: number): number {
  const a1 = -39.69683028665376;
  const a2 = 220.9460984245205;
  const a3 = -275.9285104469687;
  const a4 = 138.357751867269;
  const a5 = -30.66479806614716;
  const a6 = 2.506628277459239;
  const b1 = -54.47609879822406;
  const b2 = 161.5858368580409;
  const b3 = -155.6989798598866;
  const b4 = 66.80131188771972;
  const b5 = -13.28068155288572;
  const c1 = -0.007784894002430293;
  const c2 = -0.3223964580411365;
  const c3 = -2.400758277161838;
  const c4 = -2.549732539343734;
  const c5 = 4.374664141464968;
  const c6 = 2.938163982698783;
  const d1 = 0.007784695709041462;
  const d2 = 0.3224671290700398;
  const d3 = 2.445134137142996;
  const d4 = 3.754408661907416;
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q) /
    (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1)
  );
}

const NO32 = new Float32Array(0);

/** Cells of the lognormal inverse-CDF table (2^12), and the exact tail cells at each end. */
const LN_BITS = 12;
const LN_CELLS = 1 << LN_BITS;
const LN_TAIL = 16;
const FRAC = 1 / (1 << (32 - LN_BITS));

/** Recently built lognormal tables by (mu, sigma): runs and sweep points reuse them (read-only). */
const lnTables = new Map<string, Float32Array>();
const LN_TABLES_MAX = 64;

/** The inverse-CDF table of a lognormal (Q(k / 4096) for the body), cached. */
function lognormalTable(mu: number, sigma: number): Float32Array {
  const key = `${mu},${sigma}`;
  let table = lnTables.get(key);
  if (table === undefined) {
    table = new Float32Array(LN_CELLS + 1);
    for (let k = LN_TAIL; k <= LN_CELLS - LN_TAIL; k++)
      table[k] = Math.exp(mu + sigma * normalQuantile(k / LN_CELLS));
    if (lnTables.size >= LN_TABLES_MAX) lnTables.clear();
    lnTables.set(key, table);
  }
  return table;
}

/** z of the standard normal at 0.99. */
export const Z99 = 2.3263478740408408;

/** Sigma of a lognormal with the given mean and 99th percentile (the smaller root), or NaN if none. */
export function lognormalSigmaFromP99(mean: number, p99: number): number {
  // mu = ln(mean) - s²/2 and ln(p99) = mu + z·s  ⇒  s²/2 - z·s + ln(p99/mean) = 0
  const l = Math.log(p99 / mean);
  const disc = Z99 * Z99 - 2 * l;
  if (disc < 0) return NaN;
  return Z99 - Math.sqrt(disc);
}

/** The largest p99/mean ratio a lognormal with a fixed mean can have (e^(z²/2) ≈ 14.97). */
export const LOGNORMAL_MAX_P99_RATIO = Math.exp((Z99 * Z99) / 2);

/** A compiled distribution: `sample(rng)` draws one value in milliseconds. */
export class Sampler {
  /** Mean of the distribution (ms). */
  readonly mean: number;
  /** Squared coefficient of variation (variance / mean²). */
  readonly scv: number;
  /** True for the exponential distribution (the queueing formulas need to know). */
  readonly isExp: boolean;
  /** True for a constant. */
  readonly isConst: boolean;

  private constructor(
    private readonly kind: number,
    private readonly a: number,
    private readonly b: number,
    private readonly c: number,
    private readonly table: Float64Array,
    /** Lognormal inverse-CDF table (32-bit: 16 KB, cache-friendly). */
    private readonly lnt: Float32Array,
    mean: number,
    scv: number,
  ) {
    this.mean = mean;
    this.scv = scv;
    this.isExp = kind === K_EXP;
    this.isConst = kind === K_CONST || (kind === K_EMPIRICAL && scv === 0);
  }

  /** Compiles a validated `Dist`; throws with a clear message if its parameters are impossible. */
  static of(d: Dist): Sampler {
    const none = new Float64Array(0);
    switch (d.dist) {
      case 'const':
        return new Sampler(K_CONST, d.ms, 0, 0, none, NO32, d.ms, 0);
      case 'exp':
        return new Sampler(K_EXP, d.mean_ms, 0, 0, none, NO32, d.mean_ms, 1);
      case 'uniform': {
        const mean = (d.min_ms + d.max_ms) / 2;
        const w = d.max_ms - d.min_ms;
        return new Sampler(
          K_UNIFORM,
          d.min_ms,
          w,
          0,
          none,
          NO32,
          mean,
          mean > 0 ? (w * w) / 12 / (mean * mean) : 0,
        );
      }
      case 'lognormal': {
        let sigma = d.sigma ?? 0;
        if (d.p99_ms !== undefined) {
          sigma = lognormalSigmaFromP99(d.mean_ms, d.p99_ms);
          if (!Number.isFinite(sigma))
            throw new Error(
              `lognormal: p99_ms/mean_ms is ${(d.p99_ms / d.mean_ms).toFixed(2)}, but a lognormal with that mean reaches at most ${LOGNORMAL_MAX_P99_RATIO.toFixed(2)}`,
            );
        }
        const mu = Math.log(d.mean_ms) - (sigma * sigma) / 2;
        // inverse-CDF table: Q(k / 4096) for the body; the 16 cells at each end are sampled exactly
        const table = lognormalTable(mu, sigma);
        return new Sampler(
          K_LOGNORMAL,
          mu,
          sigma,
          0,
          none,
          table,
          d.mean_ms,
          Math.expm1(sigma * sigma),
        );
      }
      case 'erlang':
        return new Sampler(K_ERLANG, d.k, d.mean_ms / d.k, 0, none, NO32, d.mean_ms, 1 / d.k);
      case 'gamma': {
        const shape = 1 / (d.cv * d.cv);
        return new Sampler(
          K_GAMMA,
          shape,
          d.mean_ms / shape,
          0,
          none,
          NO32,
          d.mean_ms,
          d.cv * d.cv,
        );
      }
      case 'empirical': {
        const t = Float64Array.from(d.samples_ms);
        let s = 0;
        for (const v of t) s += v;
        const mean = s / t.length;
        let v2 = 0;
        for (const v of t) v2 += (v - mean) * (v - mean);
        const scv = mean > 0 ? v2 / t.length / (mean * mean) : 0;
        return new Sampler(K_EMPIRICAL, t.length, 0, 0, t, NO32, mean, scv);
      }
    }
  }

  /** One draw (ms). */
  sample(r: Rng): number {
    switch (this.kind) {
      case K_EXP:
        return this.a * r.exp1();
      case K_CONST:
        return this.a;
      case K_UNIFORM:
        return this.a + this.b * r.float();
      case K_LOGNORMAL: {
        // one 32-bit draw: its top 12 bits pick a cell of the inverse CDF, the rest interpolate
        // (relative error < 2e-4 at the edge of the body, far less inside); the tails are exact
        const u = r.uint32();
        const i = u >>> (32 - LN_BITS);
        if (i >= LN_TAIL && i < LN_CELLS - LN_TAIL) {
          const t = this.lnt;
          const lo = t[i];
          return lo + (t[i + 1] - lo) * (u & ((1 << (32 - LN_BITS)) - 1)) * FRAC;
        }
        return Math.exp(this.a + this.b * normalQuantile((u + 0.5) * 2.3283064365386963e-10));
      }
      case K_ERLANG: {
        const k = this.a;
        if (k <= 16) {
          let p = 1;
          for (let i = 0; i < k; i++) p *= r.float();
          return -this.b * Math.log(p);
        }
        return this.b * gamma(r, k);
      }
      case K_GAMMA:
        return this.b * gamma(r, this.a);
      default:
        return this.table[Math.floor(r.float() * this.a)];
    }
  }
}

/** Gamma(shape, 1) by Marsaglia–Tsang (with the u^(1/shape) boost below shape 1). */
export function gamma(r: Rng, shape: number): number {
  if (shape < 1) return gamma(r, shape + 1) * Math.pow(r.float(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = r.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = r.float();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Compiles a `Dist` into a sampler (shorthand for `Sampler.of`). */
export function compileDist(d: Dist): Sampler {
  return Sampler.of(d);
}
