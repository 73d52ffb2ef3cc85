// The forecast of a request rate: from a history of (t, rate) points — a CSV, a recording or a
// Prometheus range, all the same here — forecast the next horizon with a prediction interval, and
// backtest the method over the history against seasonal naive. Pure: no Node.
import { backtest, type BacktestScore } from './backtest';
import { ProfileLevel, SeasonalNaive, type ModelSetup, type SlotForecast } from './model';
import { ForecastError, toGrid, type Grid, type RatePoint } from './series';

export { ForecastError, parseDuration, toGrid, type Grid, type RatePoint } from './series';
export { parseHistory, parseTime, type HistoryFormat, type ParsedHistory } from './history';
export { generateSeries, saleDaysOf, GENERATE_DEFAULTS, type GenerateOptions } from './generate';
export { backtest, type BacktestScore, type DayScore } from './backtest';
export { ProfileLevel, SeasonalNaive, type Rolling, type SlotForecast } from './model';

export type Seasonality = 'weekly' | 'daily';

export interface ForecastOptions {
  /** How far ahead, seconds. */
  horizon_s: number;
  /** Central probability of the interval (default 0.8). */
  level?: number;
  /** The season the profile repeats over; `auto` (default): weekly when the history allows. */
  season?: Seasonality | 'auto';
  /** Also backtest the method (and seasonal naive) over the history. */
  backtest?: boolean;
}

export interface ForecastPoint {
  /** Unix seconds of the slot (the rate over [t, t + step_s)). */
  t: number;
  mean: number;
  lo: number;
  hi: number;
}

/** A backtest's figures without the per-day list (as the CLI's table shows them). */
export type BacktestSummary = Omit<BacktestScore, 'days'>;

export interface ForecastResult {
  method: string;
  season: Seasonality;
  step_s: number;
  horizon_s: number;
  level: number;
  history: {
    /** Unix seconds of the first and last slot. */
    from: number;
    to: number;
    /** Slots on the grid and how many of them had no point. */
    slots: number;
    gaps: number;
  };
  /** The fitted parameters (fast level's smoothing, damping, slope weight). */
  params: { alpha: number; phi: number; beta: number };
  points: ForecastPoint[];
  /** With `backtest`: ours, scored by day too, and seasonal naive's on the same origins. */
  backtest: (BacktestScore & { baseline: BacktestScore }) | null;
}

/** Longest horizon the forecast takes. */
export const MAX_HORIZON_S = 12 * 3600;

const DAY = 86400;
const WEEK = 7 * DAY;

/** Slots of history a season needs: a season to learn the profile from and a day to fit. */
function needed(season: Seasonality, step: number): number {
  return Math.round(((season === 'weekly' ? WEEK : DAY) + DAY) / step);
}

const days = (slots: number, step: number) => `${((slots * step) / DAY).toFixed(1)} days`;

/** Picks the seasonality (or explains why the history is too short for the one asked). */
export function chooseSeason(grid: Grid, asked: Seasonality | 'auto' = 'auto'): Seasonality {
  const n = grid.values.length;
  const step = grid.step;
  if (asked !== 'auto') {
    if (n < needed(asked, step))
      throw new ForecastError(
        `${asked} seasonality needs at least ${days(needed(asked, step), step)} of history (a ${asked === 'weekly' ? 'week' : 'day'} to learn its shape and a day to fit the level and the interval); the history covers ${days(n, step)}`,
      );
    return asked;
  }
  if (n >= needed('weekly', step)) return 'weekly';
  if (n >= needed('daily', step)) return 'daily';
  throw new ForecastError(
    `the history covers ${days(n, step)}; the forecast needs at least ${days(needed('daily', step), step)} (daily seasonality) or ${days(needed('weekly', step), step)} (weekly, by time of day and day of week)`,
  );
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Forecasts the horizon after the last point (and backtests, when asked). */
export function forecast(points: readonly RatePoint[], o: ForecastOptions): ForecastResult {
  const grid = toGrid(points);
  return forecastGrid(grid, o);
}

/** The same from a regular grid. */
export function forecastGrid(grid: Grid, o: ForecastOptions): ForecastResult {
  const level = o.level ?? 0.8;
  const step = grid.step;
  if (!(o.horizon_s > 0) || o.horizon_s > MAX_HORIZON_S)
    throw new ForecastError(`the horizon must be between the step and ${MAX_HORIZON_S / 3600} h`);
  const horizon = Math.round(o.horizon_s / step);
  if (horizon < 1)
    throw new ForecastError(
      `the horizon (${o.horizon_s} s) is shorter than the history's step (${step} s)`,
    );
  const season = chooseSeason(grid, o.season);
  const n = grid.values.length;
  const setup: ModelSetup = {
    values: grid.values,
    step,
    period: Math.round((season === 'weekly' ? WEEK : DAY) / step),
    horizon,
    level,
  };
  let gaps = 0;
  for (const v of grid.values) if (!Number.isFinite(v)) gaps++;
  const start = needed(season, step) - 1;

  let bt: ForecastResult['backtest'] = null;
  if (o.backtest) {
    if (n - 1 - start < horizon + 1)
      throw new ForecastError(
        `the backtest needs at least ${days(start + horizon + 2, step)} of history for ${season} seasonality; the history covers ${days(n, step)}`,
      );
    const ours = backtest(grid, new ProfileLevel(setup), { horizon, level, start });
    const naive = backtest(grid, new SeasonalNaive(setup), { horizon, level, start });
    bt = { ...ours, baseline: naive };
  }

  const model = new ProfileLevel(setup);
  for (let i = 0; i < n; i++) model.observe(i);
  model.settle(n - 1);
  const out: SlotForecast[] = new Array(horizon);
  model.forecast(n - 1, horizon, out);
  const tLast = grid.t0 + (n - 1) * step;
  return {
    method: model.name,
    season,
    step_s: step,
    horizon_s: horizon * step,
    level,
    history: { from: grid.t0, to: tLast, slots: n, gaps },
    params: { alpha: model.alpha, phi: model.phi, beta: model.beta },
    points: out.map((f, k) => ({
      t: tLast + (k + 1) * step,
      mean: round3(f.mean),
      lo: round3(f.lo),
      hi: round3(f.hi),
    })),
    backtest: bt,
  };
}
