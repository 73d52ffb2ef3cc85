// The backtest: the forecast made at every past slot, as the forecast command would have made it
// then (each model sees only slots up to its origin and refits once a day), scored against what
// came. Accuracy is 1 − MAPE of the forecast `horizon` ahead; coverage is how often the actual rate
// fell inside the interval (every forecast point, 1 … horizon ahead); the peak-time error is, for
// each whole day scored, how far the time of the day's highest rate (a 5-minute average) in the
// horizon-ahead forecast is from the time of the actual one, peak by peak: a peak is a time whose
// rate (a 15-minute average, so one noisy minute does not move it) is the highest within 3 hours
// either side — the lunch and the dinner
// peak of a food-delivery day, a sale's spike — and the forecast's peak is its highest point within
// the same 3 hours either side.
import type { Rolling, SlotForecast } from './model';
import type { Grid } from './series';

export interface DayScore {
  /** Unix seconds of the day's first slot (days are cut at the quietest time of day). */
  t: number;
  accuracy: number;
  coverage: number;
  /** Mean seconds between the forecast's and the actual peak times that day (NaN: no peak). */
  peak_error_s: number;
}

export interface BacktestScore {
  method: string;
  /** 1 − mean absolute percentage error of the forecast `horizon` ahead. */
  accuracy: number;
  /** Share of forecast points (1 … horizon ahead) whose interval held the actual rate. */
  coverage: number;
  /** The interval's claimed coverage (e.g. 0.8). */
  level: number;
  /** Mean width of the interval at the horizon, relative to the actual rate. */
  width: number;
  /** Mean absolute error of the peak times, seconds (NaN with no peak scored). */
  peak_error_s: number;
  /** Peaks scored. */
  peaks: number;
  /** Forecast origins scored. */
  origins: number;
  /** Unix seconds of the first and last slot forecast. */
  from: number;
  to: number;
  days: DayScore[];
}

export interface BacktestOptions {
  /** Forecast horizon in slots. */
  horizon: number;
  /** Central probability of the interval. */
  level: number;
  /** The first origin: the first slot after which the model forecasts (it refits there first). */
  start: number;
  /** Forecast from every `every`-th slot only (default 1); above 1 there is no peak-time error. */
  every?: number;
}

/** Runs `model` over the grid and scores its forecasts from `start` on. */
export function backtest(grid: Grid, model: Rolling, o: BacktestOptions): BacktestScore {
  const { values, step, t0 } = grid;
  const n = values.length;
  const H = o.horizon;
  const day = Math.round(86400 / step);
  const every = Math.max(1, Math.floor(o.every ?? 1));
  // the horizon-ahead forecast of each target slot
  const fMean = new Float64Array(n).fill(NaN);
  const fLo = new Float64Array(n).fill(NaN);
  const fHi = new Float64Array(n).fill(NaN);
  let covered = 0;
  let points = 0;
  let origins = 0;
  const out: SlotForecast[] = new Array(H);
  for (let i = 0; i < n; i++) {
    model.observe(i);
    if (i < o.start) continue;
    if ((i - o.start) % day === 0) model.refit(i);
    if (i + H >= n || (i - o.start) % every !== 0) continue;
    model.forecast(i, H, out);
    origins++;
    for (let h = 1; h <= H; h++) {
      const a = values[i + h];
      const f = out[h - 1];
      if (!Number.isFinite(a) || !Number.isFinite(f.mean)) continue;
      points++;
      if (a >= f.lo && a <= f.hi) covered++;
    }
    fMean[i + H] = out[H - 1].mean;
    fLo[i + H] = out[H - 1].lo;
    fHi[i + H] = out[H - 1].hi;
  }
  const first = o.start + H;
  const acc = scoreRange(values, fMean, fLo, fHi, first, n - 1);
  const peaks =
    every > 1
      ? []
      : peakErrors(values, fMean, first, n - 1, peakHalfWidth(step), Math.round((3 * 3600) / step));
  // days cut at the quietest slot of the day (mean over the whole series)
  const cut = quietestSlot(values, day);
  const days: DayScore[] = [];
  let d0 = first + ((((cut - first) % day) + day) % day);
  for (; d0 + day <= n; d0 += day) {
    const s = scoreRange(values, fMean, fLo, fHi, d0, d0 + day - 1);
    if (s.n < 0.9 * day) continue;
    let e = 0;
    let c = 0;
    for (const p of peaks)
      if (p.slot >= d0 && p.slot < d0 + day) {
        e += p.error;
        c++;
      }
    days.push({
      t: t0 + d0 * step,
      accuracy: 1 - s.mape,
      coverage: s.coverage,
      peak_error_s: c ? (e / c) * step : NaN,
    });
  }
  const peak = peaks.length
    ? (peaks.reduce((sum, p) => sum + p.error, 0) / peaks.length) * step
    : NaN;
  return {
    method: model.name,
    accuracy: 1 - acc.mape,
    coverage: points ? covered / points : NaN,
    level: o.level,
    width: acc.width,
    peak_error_s: peak,
    peaks: peaks.length,
    origins,
    from: t0 + first * step,
    to: t0 + (n - 1) * step,
    days,
  };
}

/** MAPE, horizon coverage and relative width over target slots a..b. */
function scoreRange(
  values: Float64Array,
  mean: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  a: number,
  b: number,
): { mape: number; coverage: number; width: number; n: number } {
  let ape = 0;
  let width = 0;
  let cov = 0;
  let n = 0;
  for (let j = a; j <= b; j++) {
    const y = values[j];
    if (!(y > 0) || !Number.isFinite(mean[j])) continue;
    ape += Math.abs(mean[j] - y) / y;
    width += (hi[j] - lo[j]) / y;
    if (y >= lo[j] && y <= hi[j]) cov++;
    n++;
  }
  return n
    ? { mape: ape / n, coverage: cov / n, width: width / n, n }
    : { mape: NaN, coverage: NaN, width: NaN, n };
}

/** The slot of the day (0 … day−1) with the lowest mean rate. */
export function quietestSlot(values: Float64Array, day: number): number {
  const sum = new Float64Array(day);
  const cnt = new Float64Array(day);
  for (let i = 0; i < values.length; i++)
    if (Number.isFinite(values[i])) {
      sum[i % day] += values[i];
      cnt[i % day]++;
    }
  let best = 0;
  let bestMean = Infinity;
  for (let s = 0; s < day; s++) {
    const m = cnt[s] ? sum[s] / cnt[s] : Infinity;
    if (m < bestMean) {
      bestMean = m;
      best = s;
    }
  }
  return best;
}

/** Half-width in slots of the peak's averaging window: ±7 minutes, a quarter of an hour. */
export function peakHalfWidth(step: number): number {
  return Math.max(0, Math.round(420 / step));
}

/** Centred ±w averages of x over a..b (NaN where nothing is known). */
function smoothed(x: Float64Array, a: number, b: number, w: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let k = a; k <= b; k++) {
    let s = 0;
    let c = 0;
    for (let j = Math.max(a, k - w); j <= Math.min(b, k + w); j++)
      if (Number.isFinite(x[j])) {
        s += x[j];
        c++;
      }
    if (c) out[k] = s / c;
  }
  return out;
}

/**
 * The peaks of `actual` in a..b (the highest smoothed point within `sep` slots either side, the
 * whole window inside a..b, at least 30 % of the highest) and, for each, how many slots away the
 * forecast's highest smoothed point within the same window is.
 */
export function peakErrors(
  actual: Float64Array,
  forecast: Float64Array,
  a: number,
  b: number,
  w: number,
  sep: number,
): { slot: number; error: number }[] {
  const xa = smoothed(actual, a, b, w);
  const xf = smoothed(forecast, a, b, w);
  let top = 0;
  for (let k = a; k <= b; k++) if (xa[k] > top) top = xa[k];
  const out: { slot: number; error: number }[] = [];
  for (let p = a + sep; p <= b - sep; p++) {
    const v = xa[p];
    if (!(v >= 0.3 * top)) continue;
    let isPeak = true;
    for (let j = p - sep; j <= p + sep && isPeak; j++)
      if (j !== p && (xa[j] > v || (j < p && xa[j] === v))) isPeak = false;
    if (!isPeak) continue;
    let best = -1;
    let bestV = -Infinity;
    for (let j = p - sep; j <= p + sep; j++)
      if (xf[j] > bestV) {
        bestV = xf[j];
        best = j;
      }
    if (best >= 0) out.push({ slot: p, error: Math.abs(best - p) });
  }
  return out;
}
