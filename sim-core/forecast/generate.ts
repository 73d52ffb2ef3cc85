// A realistic food-delivery order-rate series for tests, backtests and demos, deterministic by seed.
// The day's shape (local time): a quiet night, a small breakfast bump, the lunch peak (the day's
// largest on weekdays), an afternoon lull, the dinner peak and a late-night snack tail; weekends
// order later, longer and more (dinner as large as lunch); Fridays have a bigger dinner and
// evening. Each day its peaks come a few minutes early or late and a little higher or lower;
// the level wanders like the weather (a mean-reverting log process with a time constant of hours),
// rain now and then lifts orders for a few hours, traffic grows week on week, and a sale day
// starts with a spike (a multiple of the usual rate that decays over hours) at a set local time.
// Each minute carries multiplicative noise and the Poisson noise of counting requests.
import { Rng } from '../random';
import type { RatePoint } from './series';

export interface GenerateOptions {
  /** Seed of the random streams: the same options give the same series, number for number. */
  seed?: number;
  /** Length of the series in days. */
  days?: number;
  /** Seconds between points. */
  step_s?: number;
  /** Unix seconds of the first point (default Monday 2026-01-05 00:00 at `utc_offset_h`). */
  start?: number;
  /** The usual weekday lunch peak, requests per second. */
  peak_rps?: number;
  /** Hours ahead of UTC of the city's local time (the meals happen in local time). */
  utc_offset_h?: number;
  /** Growth of the traffic per week (0.01 = 1 %). */
  growth_per_week?: number;
  /** Multiplicative noise of one step (standard deviation of its log). */
  noise?: number;
  /** Standard deviation of the slowly wandering level (log), e.g. 0.07 = ±7 %. */
  wander?: number;
  /** Time constant of the wandering level, hours. */
  wander_hours?: number;
  /** Days (0-based, from the first) that are sale days; default `sales` days chosen by the seed. */
  sale_days?: number[];
  /** How many sale days the seed chooses when `sale_days` is not given (none in the first week). */
  sales?: number;
  /** The sale's spike: the rate at its start is (1 + sale_boost) × usual. */
  sale_boost?: number;
  /** Local hour the sale starts. */
  sale_hour?: number;
  /** Rainy spells per week (each lifts orders 15–40 % for 2–5 hours). */
  rain_per_week?: number;
}

export const GENERATE_DEFAULTS = {
  seed: 1,
  days: 42,
  step_s: 60,
  peak_rps: 5000,
  utc_offset_h: 8,
  growth_per_week: 0.01,
  noise: 0.04,
  wander: 0.07,
  wander_hours: 4,
  sales: 2,
  sale_boost: 2.5,
  sale_hour: 10,
  rain_per_week: 1,
} as const;

/** One bump of the day's shape: height, centre (local hour) and width (hours). */
interface Bump {
  h: number;
  mu: number;
  sd: number;
}

/** The day's shape by kind of day, relative to the weekday lunch peak. */
function dayShape(dow: number): { base: number; bumps: Bump[] } {
  // dow: 0 = Monday … 6 = Sunday
  const weekend = dow >= 5;
  const friday = dow === 4;
  if (weekend)
    return {
      base: 0.045,
      bumps: [
        { h: 0.06, mu: 9.3, sd: 0.9 }, // brunch
        { h: 1.02, mu: 12.3, sd: 0.85 }, // lunch, later and longer
        { h: 0.3, mu: 15.3, sd: 1.6 }, // afternoon tea
        { h: dow === 5 ? 1.0 : 0.92, mu: 18.4, sd: 1.0 }, // dinner
        { h: dow === 5 ? 0.26 : 0.16, mu: 21.9, sd: 1.3 }, // late night
      ],
    };
  return {
    base: 0.035,
    bumps: [
      { h: 0.12, mu: 8.0, sd: 0.6 }, // breakfast
      { h: 0.92, mu: 11.9, sd: 0.6 }, // lunch
      { h: 0.2, mu: 15.4, sd: 1.5 }, // afternoon tea
      { h: friday ? 0.86 : 0.74, mu: 18.2, sd: 0.85 }, // dinner
      { h: friday ? 0.24 : 0.16, mu: 21.8, sd: 1.2 }, // late night
    ],
  };
}

/** A Poisson count with mean `m` (normal approximation above 500, Knuth's product below). */
function poisson(rng: Rng, m: number): number {
  if (m <= 0) return 0;
  if (m > 500) return Math.max(0, Math.round(m + Math.sqrt(m) * rng.normal()));
  const limit = Math.exp(-m);
  let k = 0;
  let p = rng.float();
  while (p > limit) {
    k++;
    p *= rng.float();
  }
  return k;
}

/** Sale days chosen by the seed: none in the first week, at least a week apart where they fit. */
function chooseSaleDays(rng: Rng, days: number, count: number): number[] {
  const out: number[] = [];
  if (count <= 0 || days <= 7) return out;
  const span = (days - 7) / count;
  for (let k = 0; k < count; k++) {
    const lo = 7 + Math.floor(k * span);
    const hi = Math.max(lo + 1, Math.floor(7 + (k + 1) * span));
    out.push(Math.min(days - 1, lo + rng.int(hi - lo)));
  }
  return [...new Set(out)];
}

/** The series, one point every `step_s` seconds for `days` days. */
export function generateSeries(options: GenerateOptions = {}): RatePoint[] {
  const o = { ...GENERATE_DEFAULTS, ...options };
  const step = o.step_s;
  const offset = o.utc_offset_h * 3600;
  // Monday 2026-01-05 00:00 local
  const start = o.start ?? Date.UTC(2026, 0, 5) / 1000 - offset;
  const n = Math.floor((o.days * 86400) / step);
  const days = Math.ceil(o.days) + 1;
  const noise = new Rng(o.seed, 11);
  const counts = new Rng(o.seed, 12);
  const daily = new Rng(o.seed, 13);
  const weather = new Rng(o.seed, 14);
  const sales = new Rng(o.seed, 15);
  const saleDays = new Set(o.sale_days ?? chooseSaleDays(sales, Math.floor(o.days), o.sales));

  // Each local day: its shape with the peaks shifted and scaled a little.
  const startLocal = start + offset;
  const firstDay = Math.floor(startLocal / 86400);
  const shapes = Array.from({ length: days }, (_, d) => {
    const dow = (((firstDay + d + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (dow 3)
    const s = dayShape(dow);
    return {
      base: s.base,
      bumps: s.bumps.map((b) => ({
        h: b.h * Math.exp(0.06 * daily.normal()),
        mu: b.mu + (8 / 60) * daily.normal(),
        sd: b.sd * Math.exp(0.05 * daily.normal()),
      })),
    };
  });
  // Rainy spells: start (seconds from start), duration, lift.
  const rains: { t: number; len: number; lift: number }[] = [];
  const meanGap = (7 * 86400) / Math.max(1e-9, o.rain_per_week);
  for (let t = weather.exp(meanGap); t < o.days * 86400; t += weather.exp(meanGap))
    rains.push({
      t,
      len: (2 + 3 * weather.float()) * 3600,
      lift: 0.15 + 0.25 * weather.float(),
    });

  const tau = o.wander_hours * 3600;
  const a = Math.exp(-step / tau);
  const innov = o.wander * Math.sqrt(1 - a * a);
  let wander = o.wander * weather.normal();
  const out: RatePoint[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const t = start + k * step;
    const sinceStart = k * step;
    const local = t + offset - firstDay * 86400;
    const d = Math.floor(local / 86400);
    const hour = (local - d * 86400) / 3600;
    // the shape: the bumps of yesterday, today and tomorrow (each on its own clock, so the late
    // tail runs on past midnight), on a base that moves from yesterday's to today's by 6 am
    const blend = Math.min(1, hour / 6);
    let shape =
      (d > 0 ? shapes[d - 1].base : shapes[d].base) * (1 - blend) + shapes[d].base * blend;
    for (let dd = Math.max(0, d - 1); dd <= Math.min(days - 1, d + 1); dd++)
      for (const b of shapes[dd].bumps) {
        const z = (hour + 24 * (d - dd) - b.mu) / b.sd;
        if (z > -8 && z < 8) shape += b.h * Math.exp(-0.5 * z * z);
      }
    wander = a * wander + innov * weather.normal();
    let rain = 1;
    for (const r of rains) {
      if (sinceStart < r.t - 1800 || sinceStart > r.t + r.len + 1800) continue;
      const ramp = Math.min(
        1,
        (sinceStart - (r.t - 1800)) / 1800,
        (r.t + r.len + 1800 - sinceStart) / 1800,
      );
      rain *= 1 + r.lift * Math.max(0, ramp);
    }
    let sale = 1;
    if (saleDays.has(d)) {
      const since = (hour - o.sale_hour) * 3600;
      sale = 1.25; // the whole day is busier
      if (since >= 0)
        sale += o.sale_boost * Math.min(1, since / 300) * Math.exp(-since / (2 * 3600));
    }
    const growth = Math.exp((o.growth_per_week * sinceStart) / (7 * 86400));
    const mean =
      o.peak_rps *
      shape *
      Math.exp(wander) *
      rain *
      sale *
      growth *
      Math.exp(o.noise * noise.normal());
    const rate = poisson(counts, mean * step) / step;
    out[k] = { t, rate: Math.round(rate * 1000) / 1000 };
  }
  return out;
}

/** The sale days a set of options gives (0-based day numbers), for reports and tests. */
export function saleDaysOf(options: GenerateOptions = {}): number[] {
  const o = { ...GENERATE_DEFAULTS, ...options };
  return o.sale_days ?? chooseSaleDays(new Rng(o.seed, 15), Math.floor(o.days), o.sales);
}
