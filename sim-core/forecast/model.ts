// The forecasters, as rolling filters over a regular grid: each is told of every new observation
// in turn (`observe`), re-estimates its parameters from what it has seen (`refit`, once a day), and
// forecasts the next slots with a prediction interval (`forecast`). The forecast command and the
// backtest run the same code: the backtest is the forecast made at every past slot.
//
// Profile × level (ours): the log rate is a seasonal profile plus a deviation. The profile of a slot
// is the median, over the same slot one, two, … four seasons back (a week, or a day), of the log
// rate smoothed over ±2 minutes — robust to one odd week (last week's sale day is not this week's).
// The deviation of the recent past from the profile (weather, growth, a sale under way) is tracked
// by two exponentially weighted levels, a fast one and a day-long one; the forecast h slots ahead is
// profile + long + φ^h·(fast − long) + a damped slope. α (fast), φ and the slope's weight are fitted
// to the last week's forecast errors; the interval is the empirical quantiles of the last two
// weeks' errors at each horizon, scaled by the time of day (nights and peaks err differently).
//
// Seasonal naive (the baseline): the same slot one season back, scaled by the ratio of the last
// hour to the same hour one season back; its interval comes from its own errors the same way.

/** A forecast of one slot. */
export interface SlotForecast {
  mean: number;
  lo: number;
  hi: number;
}

/** A model run over a grid, origin by origin. */
export interface Rolling {
  readonly name: string;
  /** Takes slot `i` into account (slots come in order, each once). */
  observe(i: number): void;
  /** Re-estimates the parameters from slots 0..i (all observed). */
  refit(i: number): void;
  /** Forecasts slots i+1 … i+h after slot i was observed (`out` gets h entries). */
  forecast(i: number, h: number, out: SlotForecast[]): void;
}

export interface ModelSetup {
  /** The grid's values (NaN = a gap). */
  values: Float64Array;
  /** Seconds per slot. */
  step: number;
  /** Slots per season (a week or a day). */
  period: number;
  /** Forecast horizon in slots. */
  horizon: number;
  /** Central probability of the interval, e.g. 0.8. */
  level: number;
}

/** Seasons the profile looks back over. */
const MAX_SEASONS = 4;
/** Days of errors the parameters are fitted to. */
const FIT_DAYS = 7;
/** Days of errors the intervals are taken from. */
const INTERVAL_DAYS = 14;
/** Time-of-day buckets the interval width is scaled by. */
const TOD_BUCKETS = 12;
/** The fast level's smoothing and the slope's weights the fit tries. */
const ALPHAS = [0.02, 0.04, 0.07, 0.1, 0.15, 0.22, 0.32, 0.45];
const BETAS = [0, 0.03, 0.1];

/** Half-width in slots of the smoothing window (±2 minutes; none for steps of 5 minutes and up). */
export function smoothHalfWidth(step: number): number {
  return Math.max(0, Math.round(120 / step));
}

/**
 * The log offset: rates are modelled as log(rate + c), so a zero rate is finite; c is 0.2 % of the
 * first day's mean rate (the first day only, so no forecast depends on anything after its origin).
 */
function logOffset(values: Float64Array, slotsPerDay: number): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < Math.min(values.length, slotsPerDay); i++)
    if (Number.isFinite(values[i])) {
      s += values[i];
      n++;
    }
  const mean = n ? s / n : 1;
  return Math.max(1e-6, 0.002 * mean);
}

/** Median of the first `n` entries of `a` (sorted in place). */
function median(a: number[], n: number): number {
  const b = a.slice(0, n).sort((x, y) => x - y);
  const m = n >> 1;
  return n % 2 ? b[m] : 0.5 * (b[m - 1] + b[m]);
}

/** The empirical q-quantile of a sorted array (linear interpolation). */
export function quantileSorted(a: ArrayLike<number>, q: number): number {
  if (a.length === 0) return NaN;
  const x = q * (a.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  return i + 1 < a.length ? a[i] * (1 - f) + a[i + 1] * f : a[i];
}

/** Moves the k-th smallest of a[lo..hi] to a[k], smaller ones before it (Hoare's quickselect). */
function select(a: Float64Array, k: number, lo = 0, hi = a.length - 1): void {
  while (hi > lo) {
    // median of three as the pivot
    const mid = (lo + hi) >> 1;
    let p = a[mid];
    const x = a[lo];
    const y = a[hi];
    if ((x <= p && p <= y) || (y <= p && p <= x)) {
      // p is the median
    } else if ((p <= x && x <= y) || (y <= x && x <= p)) p = x;
    else p = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** The empirical q-quantile of `a` (linear interpolation, as quantileSorted); reorders `a`. */
export function quantile(a: Float64Array, q: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const x = q * (n - 1);
  const i = Math.floor(x);
  const f = x - i;
  select(a, i);
  if (f === 0 || i + 1 >= n) return a[i];
  let next = Infinity;
  for (let k = i + 1; k < n; k++) if (a[k] < next) next = a[k];
  return a[i] * (1 - f) + next * f;
}

/**
 * Empirical interval quantiles of log errors at each horizon, with a time-of-day scale: errors
 * are divided by their bucket's mean absolute error (relative to all buckets) before the quantiles
 * are taken, and the bucket's scale multiplies them back when forecasting.
 */
class ErrorQuantiles {
  lo: Float64Array;
  hi: Float64Array;
  scale: Float64Array;
  constructor(
    private readonly horizon: number,
    private readonly level: number,
    private readonly slotsPerDay: number,
  ) {
    this.lo = new Float64Array(horizon).fill(-0.1);
    this.hi = new Float64Array(horizon).fill(0.1);
    this.scale = new Float64Array(TOD_BUCKETS).fill(1);
    this.buckets = new Uint8Array(slotsPerDay);
    for (let k = 0; k < slotsPerDay; k++)
      this.buckets[k] = Math.floor((k * TOD_BUCKETS) / slotsPerDay);
  }

  private readonly buckets: Uint8Array;

  bucket(slot: number): number {
    return this.buckets[slot % this.slotsPerDay];
  }

  /** `errs[h][k]` is the error at horizon h+1 of the forecast whose target slot is `slots[h][k]`. */
  fit(errs: Float64Array[], slots: Int32Array[]): void {
    const H = this.horizon;
    // time-of-day scale from every horizon's absolute errors, each horizon normalised by its mean
    const sum = new Float64Array(TOD_BUCKETS);
    const cnt = new Float64Array(TOD_BUCKETS);
    for (let h = 0; h < H; h++) {
      const e = errs[h];
      if (e.length === 0) continue;
      let m = 0;
      for (const x of e) m += Math.abs(x);
      m /= e.length;
      if (!(m > 0)) continue;
      for (let k = 0; k < e.length; k++) {
        const b = this.bucket(slots[h][k]);
        sum[b] += Math.abs(e[k]) / m;
        cnt[b]++;
      }
    }
    for (let b = 0; b < TOD_BUCKETS; b++) this.scale[b] = cnt[b] >= 20 ? sum[b] / cnt[b] : 1;
    const pLo = (1 - this.level) / 2;
    for (let h = 0; h < H; h++) {
      const e = errs[h];
      if (e.length < 20) continue;
      const z = new Float64Array(e.length);
      for (let k = 0; k < e.length; k++) z[k] = e[k] / this.scale[this.bucket(slots[h][k])];
      this.lo[h] = quantile(z, pLo);
      this.hi[h] = quantile(z, 1 - pLo);
    }
  }
}

/** Common ground: the log series, its offset, and the fit/interval bookkeeping. */
abstract class LogModel implements Rolling {
  abstract readonly name: string;
  protected readonly z: Float64Array;
  protected readonly c: number;
  protected readonly H: number;
  protected readonly period: number;
  protected readonly slotsPerDay: number;
  protected readonly q: ErrorQuantiles;

  constructor(protected readonly setup: ModelSetup) {
    const { values } = setup;
    this.c = logOffset(values, Math.round(86400 / setup.step));
    this.z = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) this.z[i] = Math.log(Math.max(0, values[i]) + this.c);
    this.H = setup.horizon;
    this.period = setup.period;
    this.slotsPerDay = Math.round(86400 / setup.step);
    this.q = new ErrorQuantiles(this.H, setup.level, this.slotsPerDay);
  }

  abstract observe(i: number): void;
  abstract refit(i: number): void;
  /** The point forecast of slot i+h (log), made after observing slot i; NaN when it cannot. */
  protected abstract pointLog(i: number, h: number): number;

  forecast(i: number, h: number, out: SlotForecast[]): void {
    const b = this.q.bucket(i + 1);
    for (let k = 1; k <= h; k++) {
      const m = this.pointLog(i, k);
      const hh = Math.min(k, this.H) - 1;
      const s = this.q.scale[this.q.bucket(i + k)] || this.q.scale[b];
      const mean = Math.max(0, Math.exp(m) - this.c);
      const lo = Math.max(0, Math.exp(m + this.q.lo[hh] * s) - this.c);
      const hi = Math.max(0, Math.exp(m + this.q.hi[hh] * s) - this.c);
      const f = out[k - 1];
      if (f) {
        f.mean = mean;
        f.lo = lo;
        f.hi = hi;
      } else out[k - 1] = { mean, lo, hi };
    }
  }

  /**
   * Forecast errors (log) of every origin in [from, to] at each horizon, produced by `predict`
   * (which must use only slots up to the origin): errs[h] and the target slots.
   */
  protected collectErrors(
    from: number,
    to: number,
    predict: (origin: number, h: number) => number,
  ): { errs: Float64Array[]; slots: Int32Array[] } {
    const cap = Math.max(0, to - from + 1);
    const errs = Array.from({ length: this.H }, () => new Float64Array(cap));
    const slots = Array.from({ length: this.H }, () => new Int32Array(cap));
    const len = new Int32Array(this.H);
    for (let o = from; o <= to; o++)
      for (let h = 1; h <= this.H; h++) {
        const j = o + h;
        const actual = this.z[j];
        const f = predict(o, h);
        if (!Number.isFinite(actual) || !Number.isFinite(f)) continue;
        const k = len[h - 1]++;
        errs[h - 1][k] = actual - f;
        slots[h - 1][k] = j;
      }
    return {
      errs: errs.map((e, h) => e.subarray(0, len[h])),
      slots: slots.map((e, h) => e.subarray(0, len[h])),
    };
  }
}

/** Profile × level: the method the forecast command uses. */
export class ProfileLevel extends LogModel {
  readonly name = 'profile-level';
  /** Log profile of each slot (NaN where no earlier season is known). */
  readonly profile: Float64Array;
  /** Deviation of each slot from its profile. */
  private readonly r: Float64Array;
  /** Fast level, long level and slope after each observed slot. */
  private readonly L: Float64Array;
  private readonly G: Float64Array;
  private readonly B: Float64Array;
  alpha = 0.1;
  phi = 0.99;
  beta = 0;
  private readonly gamma: number;
  private last = -1;

  constructor(setup: ModelSetup) {
    super(setup);
    const n = this.z.length;
    const w = smoothHalfWidth(setup.step);
    // smoothed log series (centred, gaps skipped)
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let cnt = 0;
      for (let j = Math.max(0, i - w); j <= Math.min(n - 1, i + w); j++)
        if (Number.isFinite(this.z[j])) {
          sum += this.z[j];
          cnt++;
        }
      s[i] = cnt ? sum / cnt : NaN;
    }
    // the profile runs a horizon past the last slot, so the last slot can be forecast
    this.profile = new Float64Array(n + this.H);
    this.r = new Float64Array(n);
    const buf: number[] = [];
    for (let i = 0; i < n + this.H; i++) {
      let m = 0;
      for (let k = 1; k <= MAX_SEASONS; k++) {
        const j = i - k * this.period;
        if (j < 0) break;
        if (j >= n) continue;
        if (Number.isFinite(s[j])) buf[m++] = s[j];
      }
      this.profile[i] = m ? median(buf, m) : NaN;
      if (i < n) this.r[i] = this.z[i] - this.profile[i];
    }
    this.L = new Float64Array(n).fill(NaN);
    this.G = new Float64Array(n).fill(NaN);
    this.B = new Float64Array(n).fill(NaN);
    this.gamma = Math.min(1, setup.step / 86400);
  }

  /** Runs the levels over slots from..to with the given parameters, writing into the arrays. */
  private run(
    from: number,
    to: number,
    alpha: number,
    beta: number,
    L: Float64Array,
    G: Float64Array,
    B: Float64Array,
    fresh = false,
  ): void {
    let l = from > 0 && !fresh ? L[from - 1] : NaN;
    let g = from > 0 && !fresh ? G[from - 1] : NaN;
    let b = from > 0 && !fresh ? B[from - 1] : NaN;
    for (let i = from; i <= to; i++) {
      const x = this.r[i];
      if (Number.isFinite(x)) {
        if (!Number.isFinite(l)) {
          l = x;
          g = x;
          b = 0;
        } else {
          const prev = l;
          l += alpha * (x - l);
          g += this.gamma * (x - g);
          b += beta * (l - prev - b);
        }
      }
      L[i] = l;
      G[i] = g;
      B[i] = b;
    }
  }

  observe(i: number): void {
    if (i !== this.last + 1) throw new Error(`observe: slot ${i} after ${this.last}`);
    this.run(i, i, this.alpha, this.beta, this.L, this.G, this.B);
    this.last = i;
  }

  private predictWith(
    L: Float64Array,
    G: Float64Array,
    B: Float64Array,
    phi: number,
    i: number,
    h: number,
  ): number {
    const p = this.profile[i + h];
    const l = L[i];
    if (!Number.isFinite(p) || !Number.isFinite(l)) return NaN;
    const ph = Math.pow(phi, h);
    // damped slope: b·(φ + φ² + … + φ^h)
    const damp = phi === 1 ? h : (phi * (1 - ph)) / (1 - phi);
    return p + G[i] + ph * (l - G[i]) + B[i] * damp;
  }

  protected pointLog(i: number, h: number): number {
    if (i + h >= this.profile.length) return NaN;
    return this.predictWith(this.L, this.G, this.B, this.phi, i, h);
  }

  refit(i: number): void {
    const day = this.slotsPerDay;
    const first = this.firstKnown();
    if (first < 0 || i - first < this.H + 10) return;
    const to = i - this.H; // origins whose targets are all observed
    const fitFrom = Math.max(first, to - FIT_DAYS * day);
    const warm = Math.max(first, fitFrom - day);
    const n = this.z.length;
    const L = new Float64Array(n);
    const G = new Float64Array(n);
    const B = new Float64Array(n);
    let best = { loss: Infinity, alpha: this.alpha, phi: this.phi, beta: this.beta };
    // the loss: mean absolute log error at a few horizons, every third origin of the last week
    const hs = [
      ...new Set([
        1,
        Math.ceil(this.H / 4),
        Math.ceil(this.H / 2),
        Math.ceil((3 * this.H) / 4),
        this.H,
      ]),
    ];
    const phis = [0.9, 0.95, 0.98, 0.99, 0.995, 1];
    const pw = phis.map((phi) => hs.map((h) => Math.pow(phi, h)));
    const dp = phis.map((phi) =>
      hs.map((h) => (phi === 1 ? h : (phi * (1 - Math.pow(phi, h))) / (1 - phi))),
    );
    const loss = new Float64Array(phis.length);
    for (const alpha of ALPHAS)
      for (const beta of BETAS) {
        this.run(warm, i, alpha, beta, L, G, B, true);
        loss.fill(0);
        let cnt = 0;
        for (let o = fitFrom; o <= to; o += 3) {
          const l = L[o];
          const g = G[o];
          const b = B[o];
          if (!Number.isFinite(l)) continue;
          for (let k = 0; k < hs.length; k++) {
            const j = o + hs[k];
            const a = this.z[j] - this.profile[j];
            if (!Number.isFinite(a)) continue;
            cnt++;
            for (let f = 0; f < phis.length; f++)
              loss[f] += Math.abs(a - (g + pw[f][k] * (l - g) + b * dp[f][k]));
          }
        }
        if (cnt === 0) continue;
        for (let f = 0; f < phis.length; f++)
          if (loss[f] / cnt < best.loss) best = { loss: loss[f] / cnt, alpha, phi: phis[f], beta };
      }
    this.alpha = best.alpha;
    this.phi = best.phi;
    this.beta = best.beta;
    // re-run the levels with the chosen parameters so the intervals see the model as it now is
    const ivFrom = Math.max(first, to - INTERVAL_DAYS * day);
    const ivWarm = Math.max(first, ivFrom - day);
    this.run(ivWarm, i, this.alpha, this.beta, L, G, B, true);
    const phi = this.phi;
    const ph = Float64Array.from({ length: this.H + 1 }, (_, h) => Math.pow(phi, h));
    const damp = Float64Array.from({ length: this.H + 1 }, (_, h) =>
      phi === 1 ? h : (phi * (1 - ph[h])) / (1 - phi),
    );
    const { errs, slots } = this.collectErrors(ivFrom, to, (o, h) => {
      const l = L[o];
      const g = G[o];
      return this.profile[o + h] + g + ph[h] * (l - g) + B[o] * damp[h];
    });
    this.q.fit(errs, slots);
  }

  /**
   * Fits at slot i (all observed) and re-runs the levels over the last days with the fitted
   * parameters, as a forecast made once (not rolled) should start.
   */
  settle(i: number): void {
    this.refit(i);
    const first = this.firstKnown();
    if (first < 0) return;
    const from = Math.max(first, i - (FIT_DAYS + 1) * this.slotsPerDay);
    this.run(from, i, this.alpha, this.beta, this.L, this.G, this.B, true);
  }

  /** The first slot with a known deviation from the profile, or -1. */
  private firstKnown(): number {
    for (let i = 0; i < this.r.length; i++) if (Number.isFinite(this.r[i])) return i;
    return -1;
  }
}

/** Seasonal naive scaled to the last hour: the baseline the backtest compares with. */
export class SeasonalNaive extends LogModel {
  readonly name = 'seasonal-naive';
  private readonly hourSlots: number;
  /** Prefix sums of the rate and of the rate one season back, over slots both know. */
  private readonly cur: Float64Array;
  private readonly prev: Float64Array;

  constructor(setup: ModelSetup) {
    super(setup);
    const n = this.z.length;
    this.hourSlots = Math.max(1, Math.round(3600 / setup.step));
    this.cur = new Float64Array(n + 1);
    this.prev = new Float64Array(n + 1);
    const v = setup.values;
    for (let i = 0; i < n; i++) {
      const j = i - this.period;
      const both = j >= 0 && Number.isFinite(v[i]) && Number.isFinite(v[j]);
      this.cur[i + 1] = this.cur[i] + (both ? v[i] : 0);
      this.prev[i + 1] = this.prev[i] + (both ? v[j] : 0);
    }
  }

  observe(_i: number): void {
    // stateless: everything it needs is in the prefix sums
  }

  protected pointLog(i: number, h: number): number {
    const j = i + h - this.period;
    if (j < 0 || j >= this.z.length) return NaN;
    const from = Math.max(0, i + 1 - this.hourSlots);
    const a = this.cur[i + 1] - this.cur[from];
    const b = this.prev[i + 1] - this.prev[from];
    if (!(a > 0 && b > 0)) return NaN;
    const last = Math.max(0, this.setup.values[j]);
    return Math.log(last * (a / b) + this.c);
  }

  refit(i: number): void {
    const to = i - this.H;
    const from = Math.max(this.period + this.hourSlots, to - INTERVAL_DAYS * this.slotsPerDay);
    if (to - from < 20) return;
    const { errs, slots } = this.collectErrors(from, to, (o, h) => this.pointLog(o, h));
    this.q.fit(errs, slots);
  }
}
