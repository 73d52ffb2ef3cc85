// The forecast's input: a series of (t, rate) points, whatever they came from (a CSV, a Peakline
// recording, a Prometheus range), and the regular grid the models work on. Pure: no Node.

/** One observation: `t` in Unix seconds, `rate` in requests per second. */
export interface RatePoint {
  t: number;
  rate: number;
}

/** A series on a regular grid: `values[k]` is the mean rate over [t0 + k·step, t0 + (k+1)·step). */
export interface Grid {
  /** Unix seconds of the first slot. */
  t0: number;
  /** Seconds per slot. */
  step: number;
  /** Mean rate in each slot; NaN where no point fell (a gap). */
  values: Float64Array;
}

/** Grid steps the forecast uses (seconds): each divides a day, so seasons are whole slots. */
export const GRID_STEPS = [60, 120, 300, 600, 900, 1800, 3600] as const;

/** Bad input to the forecast: the message says what is wrong (callers add the file and line). */
export class ForecastError extends Error {
  constructor(
    message: string,
    /** 1-based line of the input, when the problem is on one line. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * The grid step for points `dt` seconds apart (the median spacing): the smallest of GRID_STEPS at
 * least `dt` — finer samples (a recording, a 15 s Prometheus range) are averaged into minutes.
 */
export function gridStep(points: readonly RatePoint[]): number {
  if (points.length < 2) return GRID_STEPS[0];
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i].t - points[i - 1].t);
  gaps.sort((a, b) => a - b);
  const dt = gaps[gaps.length >> 1];
  for (const s of GRID_STEPS) if (s >= dt * 0.999) return s;
  return GRID_STEPS[GRID_STEPS.length - 1];
}

/**
 * Puts sorted points on a regular grid of `step` seconds aligned to whole multiples of the step
 * (so minutes start on the minute): each slot is the mean of the points in it, NaN when none.
 */
export function toGrid(points: readonly RatePoint[], step = gridStep(points)): Grid {
  if (points.length === 0) throw new ForecastError('the history holds no points');
  const t0 = Math.floor(points[0].t / step) * step;
  const n = Math.floor((points[points.length - 1].t - t0) / step) + 1;
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  for (const p of points) {
    const k = Math.floor((p.t - t0) / step);
    sum[k] += p.rate;
    count[k]++;
  }
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = count[k] > 0 ? sum[k] / count[k] : NaN;
  return { t0, step, values };
}

/** A duration such as `15m`, `90s`, `1h`, `2d` or a number of seconds, in seconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)?\s*$/i.exec(text);
  if (!m) throw new ForecastError(`"${text}" is not a duration (e.g. 15m, 900s, 1h)`);
  const unit = (m[2] ?? 's').toLowerCase();
  const mult =
    unit === 's'
      ? 1
      : unit === 'm' || unit === 'min'
        ? 60
        : unit === 'h'
          ? 3600
          : unit === 'd'
            ? 86400
            : 604800;
  return Number(m[1]) * mult;
}
