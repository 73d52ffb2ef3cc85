// Service- and think-time distributions: compiles a schema `Dist` into a `Sampler` (one class, a
// switch on an integer kind, so every call site stays monomorphic in V8) and exposes each
// distribution's mean and squared coefficient of variation for the closed-form formulas.
import type { Dist } from './schema';
import { LOGNORMAL_MAX_P99_RATIO, lognormalMu, lognormalSigmaFromP99 } from './lognormal';
import type { Rng } from './random';

const K_CONST = 0;
const K_EXP = 1;
const K_UNIFORM = 2;
const K_LOGNORMAL = 3;
const K_GAMMA = 4;
const K_GAMMA_SMALL = 5;
const K_GAMMA_MT = 6;
const K_EMPIRICAL = 7;

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

/** ln Γ(a) for a > 0: Stirling's series from a + n ≥ 15 down by the recurrence (error ~1e-15). */
export function lnGamma(a: number): number {
  let shift = 0;
  let prod = 1;
  let z = a;
  while (z < 15) {
    prod *= z;
    z += 1;
    if (prod > 1e250) {
      shift += Math.log(prod);
      prod = 1;
    }
  }
  shift += Math.log(prod);
  const w = 1 / (z * z);
  const series =
    (1 / 12 -
      w * (1 / 360 - w * (1 / 1260 - w * (1 / 1680 - w * (1 / 1188 - (w * 691) / 360360))))) /
    z;
  return (z - 0.5) * Math.log(z) - z + 0.9189385332046728 + series - shift;
}

/**
 * The regularized incomplete gamma functions of shape a at x: returns P(a, x) if `upper` is
 * false, Q(a, x) = 1 − P(a, x) if true, each computed directly where it is the small one (series
 * below a + 1, Lentz's continued fraction above), so tail probabilities keep full precision.
 */
export function gammaCdf(a: number, x: number, upper = false, lnGammaA = lnGamma(a)): number {
  if (x <= 0) return upper ? 1 : 0;
  const front = Math.exp(a * Math.log(x) - x - lnGammaA);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 100_000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (del < sum * 1e-17) break;
    }
    const p = sum * front;
    return upper ? 1 - p : p;
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  const q = front * h;
  return upper ? q : 1 - q;
}

/**
 * Quantile of Gamma(a, 1): the x with P(a, x) = p, or with Q(a, x) = q when `upper` (pass the
 * upper-tail probability q = 1 − p then, so the far right tail keeps its precision). Halley's
 * method from `start` if given (a table builder passes the previous quantile), else from the
 * Wilson–Hilferty (a > 1) or a power-law / exponential start; relative accuracy ~1e-13.
 */
export function gammaQuantile(
  p: number,
  a: number,
  upper = false,
  lnGammaA = lnGamma(a),
  start = 0,
): number {
  const lower = upper ? 1 - p : p; // the lower-tail probability (for the start only)
  const tail = upper ? p : 1 - p;
  let x: number;
  if (start > 0) x = start;
  else if (a > 1) {
    const pp = lower < 0.5 ? lower : tail;
    const t = Math.sqrt(-2 * Math.log(pp));
    let z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (lower >= 0.5) z = -z;
    x = Math.max(1e-3, a * Math.pow(1 - 1 / (9 * a) + z / (3 * Math.sqrt(a)), 3));
  } else {
    const t = 1 - a * (0.253 + a * 0.12);
    x = lower < t ? Math.pow(lower / t, 1 / a) : 1 - Math.log(tail / (1 - t));
  }
  for (let j = 0; j < 40; j++) {
    if (x <= 0) return 0;
    // f(x) = P(a, x) − p, computed as q − Q(a, x) in the upper tail
    const err = upper ? p - gammaCdf(a, x, true, lnGammaA) : gammaCdf(a, x, false, lnGammaA) - p;
    const pdf = Math.exp((a - 1) * Math.log(x) - x - lnGammaA);
    if (pdf === 0) break;
    const u = err / pdf;
    const step = u / (1 - 0.5 * Math.min(1, u * ((a - 1) / x - 1)));
    const prev = x;
    x -= step;
    if (x <= 0) x = 0.5 * prev;
    if (Math.abs(step) <= 1e-14 * x) break;
  }
  return x;
}

/** Cells of the gamma inverse-CDF table, as for the lognormal (2^12, 16 tail cells each end). */
const GM_TAIL = 16;

/**
 * The tail cells (p or 1 − p below 2^-8) are served by a second table over y = −ln(tail
 * probability), from 8·ln 2 to 33·ln 2 (the least tail probability one 32-bit draw gives) in
 * GM_TAIL_STEPS steps: ln x for the lower tail, x for the upper, both nearly linear in y there.
 */
const GM_TAIL_STEPS = 512;
const GM_Y0 = 8 * Math.LN2;
const GM_Y1 = 33 * Math.LN2;
const GM_INV_H = GM_TAIL_STEPS / (GM_Y1 - GM_Y0);

/** Largest shape served by the tables; above it (cv < 0.032) Marsaglia–Tsang samples exactly. */
const GAMMA_TABLE_MAX_SHAPE = 1000;

/** The tables of one gamma shape: the body's inverse CDF (Float32) and the two tails (Float64). */
interface GammaTable {
  readonly body: Float32Array;
  readonly tails: Float64Array;
}

/** Recently built gamma tables by shape (read-only, shared like the lognormal ones). */
const gmTables = new Map<number, GammaTable>();

/** The tables of Gamma(shape, 1), cached: Q(k / 4096) for the body, and the tails by −ln p. */
function gammaTable(shape: number): GammaTable {
  let table = gmTables.get(shape);
  if (table === undefined) {
    // each quantile starts Halley's method from its neighbour's (two or three steps then)
    const body = new Float32Array(LN_CELLS + 1);
    const lg = lnGamma(shape);
    let x = 0;
    for (let k = GM_TAIL; 2 * k <= LN_CELLS; k++)
      body[k] = x = gammaQuantile(k / LN_CELLS, shape, false, lg, x);
    x = 0;
    for (let k = LN_CELLS - GM_TAIL; 2 * k > LN_CELLS; k--)
      body[k] = x = gammaQuantile((LN_CELLS - k) / LN_CELLS, shape, true, lg, x);
    const tails = new Float64Array(2 * (GM_TAIL_STEPS + 1));
    let lo = 0;
    let hi = 0;
    for (let j = 0; j <= GM_TAIL_STEPS; j++) {
      const p = Math.exp(-(GM_Y0 + j / GM_INV_H));
      lo = gammaQuantile(p, shape, false, lg, lo);
      hi = gammaQuantile(p, shape, true, lg, hi);
      tails[j] = Math.log(lo);
      tails[GM_TAIL_STEPS + 1 + j] = hi;
    }
    table = { body, tails };
    if (gmTables.size >= LN_TABLES_MAX) gmTables.clear();
    gmTables.set(shape, table);
  }
  return table;
}

/**
 * One Gamma(shape, 1) draw from one 32-bit output through the tables of that shape: the top 12
 * bits pick a cell of the inverse CDF and the other 20 interpolate (relative error < 1.2e-4 at
 * the edges of the body, far less inside); in the 16 cells at each end, the tail table is
 * interpolated at −ln of the draw's tail probability (relative error < 1e-5).
 */
function gammaFromTable(u: number, body: Float32Array, tails: Float64Array): number {
  const i = u >>> (32 - LN_BITS);
  if (i >= GM_TAIL && i < LN_CELLS - GM_TAIL) {
    const lo = body[i];
    return lo + (body[i + 1] - lo) * (u & ((1 << (32 - LN_BITS)) - 1)) * FRAC;
  }
  const lower = i < GM_TAIL;
  const y = -Math.log((lower ? u + 0.5 : 4294967295.5 - u) * 2.3283064365386963e-10);
  const f = (y - GM_Y0) * GM_INV_H;
  const j = f < GM_TAIL_STEPS ? Math.floor(f) : GM_TAIL_STEPS - 1;
  const o = lower ? j : GM_TAIL_STEPS + 1 + j;
  const x = tails[o] + (tails[o + 1] - tails[o]) * (f - j);
  return lower ? Math.exp(x) : x;
}

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
    /** Empirical: the samples; gamma: the tail tables. */
    private readonly table: Float64Array,
    /** Lognormal or gamma inverse-CDF table (32-bit: 16 KB, cache-friendly). */
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
        const mu = lognormalMu(d.mean_ms, sigma);
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
        return Sampler.gamma(d.k, d.mean_ms);
      case 'gamma':
        return Sampler.gamma(1 / (d.cv * d.cv), d.mean_ms);
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

  /**
   * Gamma (and Erlang) of the given shape and mean. Shapes 1…1000 use the shape's inverse-CDF
   * table (exact tail cells); below 1, Gamma(a) = Gamma(a + 1) · U^(1/a) with the table of a + 1;
   * above 1000 (cv < 0.032), Marsaglia–Tsang.
   */
  private static gamma(shape: number, mean: number): Sampler {
    const none = new Float64Array(0);
    const scale = mean / shape;
    if (shape > GAMMA_TABLE_MAX_SHAPE)
      return new Sampler(K_GAMMA_MT, shape, scale, 0, none, NO32, mean, 1 / shape);
    const t = gammaTable(shape < 1 ? shape + 1 : shape);
    return shape < 1
      ? new Sampler(K_GAMMA_SMALL, shape + 1, scale, 1 / shape, t.tails, t.body, mean, 1 / shape)
      : new Sampler(K_GAMMA, shape, scale, 0, t.tails, t.body, mean, 1 / shape);
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
      case K_GAMMA:
        return this.b * gammaFromTable(r.uint32(), this.lnt, this.table);
      case K_GAMMA_SMALL: {
        const g = gammaFromTable(r.uint32(), this.lnt, this.table);
        return this.b * g * Math.pow(r.float(), this.c);
      }
      case K_GAMMA_MT:
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
