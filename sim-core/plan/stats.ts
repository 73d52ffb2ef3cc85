// Statistics of replications for the capacity plan: Student t quantiles for any confidence, the
// confidence interval of a mean from independent replications, and of a paired difference
// (replications with common random numbers: the same seed per replication index).
import type { Ci95 } from '../result';

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = g[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront =
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  return x < (a + 1) / (a + b + 2)
    ? (front * betaCf(a, b, x)) / a
    : 1 - (front * betaCf(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with df degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with df ≥ 1 degrees of freedom (0 < p < 1). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df >= 1)) throw new Error(`tQuantile: df must be >= 1, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean and sample standard deviation. */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  let m = 0;
  for (const v of values) m += v;
  m /= n;
  if (n < 2) return { mean: m, sd: NaN };
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return { mean: m, sd: Math.sqrt(s / (n - 1)) };
}

/**
 * The two-sided `confidence` interval of the mean of independent replications (Student t). One
 * value has an infinite half-width; identical values a zero one; an infinite value (a replication
 * in which the metric does not exist, e.g. P99 with no ok response) makes the whole interval
 * infinite.
 */
export function meanCi(values: readonly number[], confidence = 0.95): Ci95 {
  const n = values.length;
  if (n === 0) return { mean: NaN, half_width: Infinity, low: -Infinity, high: Infinity };
  if (values.some((v) => v === Infinity))
    return { mean: Infinity, half_width: Infinity, low: Infinity, high: Infinity };
  const { mean, sd } = meanSd(values);
  if (n < 2) return { mean, half_width: Infinity, low: -Infinity, high: Infinity };
  const h = sd === 0 ? 0 : (tQuantile((1 + confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean, half_width: h, low: mean - h, high: mean + h };
}

/**
 * The interval of the mean difference b − a of paired replications (the same seed for the same
 * index: common random numbers, so what the two share cancels out).
 */
export function pairedDiffCi(a: readonly number[], b: readonly number[], confidence = 0.95): Ci95 {
  const n = Math.min(a.length, b.length);
  const d: number[] = [];
  for (let i = 0; i < n; i++) d.push(b[i] - a[i]);
  return meanCi(d, confidence);
}
