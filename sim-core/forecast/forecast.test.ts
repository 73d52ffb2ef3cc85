// The forecast's maths: the generated food-delivery series looks like one (lunch and dinner peaks,
// weekends, sale days) and is the same for the same seed; the forecast sees only the past; the
// backtest of profile × level beats the article's 92 % and, clearly, seasonal naive on generated
// series of several seeds, weekends and sale days included; and its intervals cover about as
// often as they claim.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  backtest,
  forecast,
  ForecastError,
  generateSeries,
  ProfileLevel,
  saleDaysOf,
  SeasonalNaive,
  toGrid,
  type RatePoint,
  type SlotForecast,
} from './index';
import { gridStep, parseDuration } from './series';
import { quietestSlot, peakErrors } from './backtest';

const DAY = 1440; // one-minute slots
/** A guard for the tests that run whole backtests (never a figure the tests check). */
const SLOW = 300_000;

type BacktestResult = NonNullable<ReturnType<typeof forecast>['backtest']>;

/** Mean rate over local hours [h0, h1) of day d (the series starts at local midnight). */
function hourMean(s: RatePoint[], d: number, h0: number, h1: number): number {
  let sum = 0;
  for (let k = d * DAY + h0 * 60; k < d * DAY + h1 * 60; k++) sum += s[k].rate;
  return sum / ((h1 - h0) * 60);
}

/** The local minute of the day's highest 15-minute average between hours h0 and h1. */
function peakMinute(s: RatePoint[], d: number, h0: number, h1: number): number {
  let best = 0;
  let bestV = -1;
  for (let m = h0 * 60; m < h1 * 60; m++) {
    let v = 0;
    for (let j = -7; j <= 7; j++) v += s[d * DAY + m + j].rate;
    if (v > bestV) {
      bestV = v;
      best = m;
    }
  }
  return best;
}

describe('the generated series', { timeout: SLOW }, () => {
  it('is the same for the same seed, different for another', () => {
    const a = generateSeries({ seed: 5, days: 3 });
    const b = generateSeries({ seed: 5, days: 3 });
    const c = generateSeries({ seed: 6, days: 3 });
    expect(b).toEqual(a);
    expect(c.map((p) => p.rate)).not.toEqual(a.map((p) => p.rate));
    expect(a).toHaveLength(3 * DAY);
    expect(a[1].t - a[0].t).toBe(60);
  });

  it('has a lunch and a dinner peak, a quiet night, and later, bigger weekends', () => {
    const s = generateSeries({ seed: 2, days: 14, sales: 0 });
    for (let d = 0; d < 14; d++) {
      const night = hourMean(s, d, 3, 5);
      const lunch = hourMean(s, d, 11, 13);
      const afternoon = hourMean(s, d, 14, 16);
      const dinner = hourMean(s, d, 17, 20);
      expect(lunch).toBeGreaterThan(5 * night);
      expect(dinner).toBeGreaterThan(5 * night);
      expect(lunch).toBeGreaterThan(1.5 * afternoon);
      expect(dinner).toBeGreaterThan(1.5 * afternoon);
      const lunchAt = peakMinute(s, d, 10, 14);
      expect(lunchAt).toBeGreaterThan(11 * 60);
      expect(lunchAt).toBeLessThan(13 * 60);
      const dinnerAt = peakMinute(s, d, 17, 20);
      expect(dinnerAt).toBeGreaterThan(17.5 * 60);
      expect(dinnerAt).toBeLessThan(19.5 * 60);
    }
    // the day starts on a Monday: Saturdays and Sundays order more, and lunch comes later
    const weekday = (h0: number, h1: number) =>
      [0, 1, 2, 3, 7, 8, 9, 10].reduce((x, d) => x + hourMean(s, d, h0, h1), 0) / 8;
    const weekend = (h0: number, h1: number) =>
      [5, 6, 12, 13].reduce((x, d) => x + hourMean(s, d, h0, h1), 0) / 4;
    expect(weekend(0, 24)).toBeGreaterThan(1.1 * weekday(0, 24));
    expect(weekend(13, 14) / weekend(11, 12)).toBeGreaterThan(weekday(13, 14) / weekday(11, 12));
  });

  it('has a spike on a sale day that a week earlier does not have', () => {
    const s = generateSeries({ seed: 3, days: 21, sale_days: [15], sale_hour: 10 });
    expect(saleDaysOf({ seed: 3, days: 21, sale_days: [15] })).toEqual([15]);
    const spike = hourMean(s, 15, 10, 11);
    const weekBefore = hourMean(s, 8, 10, 11);
    expect(spike).toBeGreaterThan(2.5 * weekBefore);
    // the seed places its own sale days after the first week
    const chosen = saleDaysOf({ seed: 9, days: 42, sales: 3 });
    expect(chosen).toHaveLength(3);
    for (const d of chosen) expect(d).toBeGreaterThanOrEqual(7);
  });

  it('grows week on week', () => {
    const s = generateSeries({ seed: 4, days: 28, sales: 0, growth_per_week: 0.05 });
    const week = (w: number) =>
      s.slice(w * 7 * DAY, (w + 1) * 7 * DAY).reduce((x, p) => x + p.rate, 0);
    expect(week(3) / week(0)).toBeGreaterThan(1.08);
  });
});

describe('the grid', { timeout: SLOW }, () => {
  it('averages finer samples into minutes and leaves gaps empty', () => {
    const pts: RatePoint[] = [];
    for (let k = 0; k < 8; k++) pts.push({ t: 600 + 15 * k, rate: k });
    pts.push({ t: 600 + 300, rate: 50 });
    expect(gridStep(pts)).toBe(60);
    const g = toGrid(pts);
    expect(g.t0).toBe(600);
    expect(g.step).toBe(60);
    expect(Array.from(g.values.slice(0, 2))).toEqual([1.5, 5.5]);
    expect(Number.isNaN(g.values[2])).toBe(true);
    expect(g.values[5]).toBe(50);
  });

  it('keeps coarser steps (5-minute Prometheus ranges stay 5-minute slots)', () => {
    const pts = Array.from({ length: 10 }, (_, k) => ({ t: 1000 * 300 + k * 300, rate: 1 }));
    expect(gridStep(pts)).toBe(300);
  });

  it('reads durations', () => {
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('120')).toBe(120);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });
});

describe('the forecast', { timeout: SLOW }, () => {
  const history = generateSeries({ seed: 11, days: 16 });

  it('forecasts each slot of the horizon with an interval around it, after the last point', () => {
    const r = forecast(history, { horizon_s: 900 });
    expect(r.season).toBe('weekly');
    expect(r.step_s).toBe(60);
    expect(r.points).toHaveLength(15);
    const last = history[history.length - 1].t;
    r.points.forEach((p, k) => {
      expect(p.t).toBe(last + 60 * (k + 1));
      expect(p.lo).toBeLessThanOrEqual(p.mean);
      expect(p.mean).toBeLessThanOrEqual(p.hi);
      expect(p.lo).toBeGreaterThan(0);
    });
    // the last day ends at local midnight, so the next quarter of an hour is the quiet night:
    // the forecast is near the night's rate, far below the day's peak
    const lastHour = history.slice(-60).reduce((x, p) => x + p.rate, 0) / 60;
    expect(r.points[0].mean).toBeGreaterThan(0.5 * lastHour);
    expect(r.points[0].mean).toBeLessThan(2 * lastHour);
    expect(r.backtest).toBeNull();
  });

  it('uses a daily season when the history is shorter than eight days, and says when it is too short', () => {
    const short = history.slice(0, 3 * DAY);
    expect(forecast(short, { horizon_s: 900 }).season).toBe('daily');
    expect(() => forecast(short, { horizon_s: 900, season: 'weekly' })).toThrow(
      /weekly seasonality needs at least 8\.0 days of history.*covers 3\.0 days/,
    );
    expect(() => forecast(history.slice(0, DAY), { horizon_s: 900 })).toThrow(ForecastError);
    expect(() => forecast(history.slice(0, DAY), { horizon_s: 900 })).toThrow(
      /covers 1\.0 days; the forecast needs at least 2\.0 days/,
    );
  });

  it('refuses a horizon shorter than the step', () => {
    const coarse = history.filter((_, k) => k % 5 === 0);
    expect(() => forecast(coarse, { horizon_s: 60 })).toThrow(/shorter than the history's step/);
  });

  it('sees only the past: changing what comes after the origin does not change its forecast', () => {
    const grid = toGrid(history);
    const origin = 12 * DAY + 700;
    const changed = Float64Array.from(grid.values, (v, k) => (k > origin ? v * 3 + 100 : v));
    const run = (values: Float64Array) => {
      const setup = { values, step: 60, period: 7 * DAY, horizon: 15, level: 0.8 };
      const out: SlotForecast[][] = [];
      for (const m of [new ProfileLevel(setup), new SeasonalNaive(setup)]) {
        const f: SlotForecast[] = [];
        for (let i = 0; i <= origin; i++) {
          m.observe(i);
          if (i >= 8 * DAY && (i - 8 * DAY) % DAY === 0) m.refit(i);
        }
        m.forecast(origin, 15, f);
        out.push(f);
      }
      return out;
    };
    expect(run(changed)).toEqual(run(grid.values));
  });

  it('forecasts across gaps in the history', () => {
    const holey = history.filter((p, k) => k % 7 !== 3 && !(k > 10 * DAY && k < 10 * DAY + 120));
    const r = forecast(holey, { horizon_s: 600, backtest: true });
    expect(r.history.gaps).toBeGreaterThan(120);
    expect(r.points).toHaveLength(10);
    for (const p of r.points) expect(Number.isFinite(p.mean) && p.mean > 0).toBe(true);
    expect(r.backtest!.accuracy).toBeGreaterThan(r.backtest!.baseline.accuracy);
  });
});

describe('the backtest', { timeout: SLOW }, () => {
  // three seeds of four weeks: the backtest runs from day 8 to day 28 (three weekends), and each
  // seed has sale days in that range
  const seeds = [1, 2, 3];
  let results: { seed: number; points: RatePoint[]; r: BacktestResult }[] = [];
  beforeAll(() => {
    results = seeds.map((seed) => {
      const points = generateSeries({ seed, days: 28 });
      return { seed, points, r: forecast(points, { horizon_s: 900, backtest: true }).backtest! };
    });
  }, SLOW);

  it('covers weekends and sale days', () => {
    for (const { seed, r } of results) {
      const sales = saleDaysOf({ seed, days: 28 });
      expect(sales.some((d) => d >= 8)).toBe(true);
      expect(r.days.length).toBeGreaterThanOrEqual(19);
      expect(r.origins).toBeGreaterThan(19 * DAY);
      expect(r.peaks).toBeGreaterThanOrEqual(2 * 19);
    }
  });

  it('beats the article’s 92 % and, clearly, seasonal naive 15 minutes ahead', () => {
    for (const { r } of results) {
      expect(r.accuracy).toBeGreaterThan(0.92);
      expect(r.accuracy - r.baseline.accuracy).toBeGreaterThan(0.03);
    }
  });

  it('gives 80 % intervals that cover about 80 % of the time, narrower than seasonal naive’s', () => {
    for (const { r } of results) {
      expect(r.level).toBe(0.8);
      expect(Math.abs(r.coverage - 0.8)).toBeLessThan(0.04);
      expect(r.width).toBeLessThan(0.75 * r.baseline.width);
    }
  });

  it('times the peaks to within a quarter of an hour on average, like seasonal naive or better', () => {
    for (const { r } of results) {
      expect(r.peak_error_s).toBeLessThan(15 * 60);
      expect(r.peak_error_s).toBeLessThan(r.baseline.peak_error_s + 3 * 60);
    }
  });

  it('keeps other interval levels honest too', () => {
    const grid = toGrid(results[0].points);
    for (const level of [0.5, 0.95]) {
      const setup = { values: grid.values, step: 60, period: 7 * DAY, horizon: 15, level };
      const s = backtest(grid, new ProfileLevel(setup), { horizon: 15, level, start: 8 * DAY });
      expect(Math.abs(s.coverage - level)).toBeLessThan(0.05);
    }
  });
});

describe('peak times', { timeout: SLOW }, () => {
  it('finds each meal peak and how far the forecast’s is', () => {
    const n = 2 * DAY;
    const bump = (k: number, at: number) => Math.exp(-0.5 * ((k - at) / 40) ** 2);
    const actual = new Float64Array(n);
    const fcst = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const m = k % DAY;
      actual[k] = 10 + 100 * bump(m, 720) + 80 * bump(m, 1100);
      fcst[k] = 10 + 100 * bump(m, 730) + 80 * bump(m, 1095);
    }
    const peaks = peakErrors(actual, fcst, 0, n - 1, 7, 180);
    expect(peaks.map((p) => p.slot)).toEqual([720, 1100, DAY + 720, DAY + 1100]);
    expect(peaks.map((p) => p.error)).toEqual([10, 5, 10, 5]);
    expect(quietestSlot(actual, DAY)).toBeLessThan(400);
  });
});
