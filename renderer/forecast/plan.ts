// The Forecast view's simulation: the current scenario run as an open load at the forecast rate of
// each slot of the horizon (P99, error rate and utilisation per station over the horizon), the
// first slot whose P99 breaks the SLO, and — by simulation, not by formula — the smallest value of
// a capacity knob (server.instances, async.workers, db.pool_size, …) that keeps P99 within the
// SLO at the top of the forecast band. Pure: the runs go through `run` (the worker pool).
import type { Scenario, ScenarioInput } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import { validateScenario } from '../../sim-core/validate';
import { getPath, setPath } from '../../sim-core/validate/paths';

/** Runs validated scenarios, results in order. */
export type RunMany = (scenarios: Scenario[]) => Promise<SimResult[]>;

/** The system simulated at one slot's forecast rate. */
export interface SlotRun {
  /** Unix seconds of the slot. */
  t: number;
  rate: number;
  p99_ms: number;
  error_rate: number;
  /** Utilisation per station (0..1). */
  util: Record<string, number>;
  saturated: string | null;
}

/** One knob's change in a capacity answer. */
export interface KnobChange {
  path: string;
  /** The scenario's value now. */
  current: number;
  /** The value the answer needs. */
  needed: number;
}

/**
 * The smallest capacity that holds the SLO at `rate`, found by simulation: the knob relieving the
 * bottleneck, turned up until P99 holds (bisected down to the smallest such value); when that
 * knob alone cannot hold it, it is set where the bottleneck moved on and the next one is sized.
 */
export interface CapacityAnswer {
  /** The knobs changed, in the order they were sized; empty when nothing holds the SLO. */
  changes: KnobChange[];
  /** Whether the changes hold the SLO (false: even the largest values tried do not). */
  holds: boolean;
  /** The rate it was sized for (the top of the band at its peak), req/s. */
  rate: number;
  /** P99 with the changes (or with the largest values tried). */
  p99_ms: number;
  /** Simulations the search ran. */
  evaluated: number;
  /** The knob the search stopped at when nothing held, and the largest value tried. */
  limit: { path: string; max: number } | null;
}

export interface ForecastSim {
  slots: SlotRun[];
  /** Unix seconds of the first slot whose P99 (or error rate above 1 %) breaks the SLO, or null. */
  firstFail: number | null;
  capacity: CapacityAnswer;
}

/** Knobs the capacity search can turn. */
export const KNOBS = [
  'server.instances',
  'server.concurrency',
  'async.workers',
  'db.pool_size',
  'db.shards',
] as const;

/** Errors above this share also break the SLO. */
export const MAX_ERROR_RATE = 0.01;

/** Whether a result holds the SLO. */
export const meets = (r: SimResult, sloMs: number) =>
  r.latency_ms.p99 <= sloMs && r.error_rate <= MAX_ERROR_RATE && r.throughput_rps > 0;

/** The knob that relieves the station that saturates first. */
export function knobFor(saturated: string | null, scenario: ScenarioInput): string {
  const has = (p: string) => typeof getPath(scenario, p) === 'number';
  if (saturated === 'db_pool' && has('db.pool_size')) return 'db.pool_size';
  if ((saturated === 'workers' || saturated === 'async_queue') && has('async.workers'))
    return 'async.workers';
  if (saturated?.startsWith('shard') && has('db.shards')) return 'db.shards';
  return 'server.instances';
}

/** Simulated seconds for a steady run at `rate`: about 20,000 requests, 5 to 60 s. */
export function runLength(rate: number): { duration_s: number; warmup_s: number } {
  const d = Math.min(60, Math.max(5, 20_000 / Math.max(rate, 1e-9)));
  const duration_s = Math.round(d * 10) / 10;
  return { duration_s, warmup_s: Math.max(1, Math.round(duration_s / 5)) };
}

/** The scenario as an open load at `rate` (steady), `knob` set when given; throws the validator's message. */
export function atRate(
  input: ScenarioInput,
  rate: number,
  knob?: { path: string; value: number },
): Scenario {
  const w = (input.workload ?? {}) as { arrivals?: 'poisson' | 'uniform'; timeout_ms?: number };
  let s: ScenarioInput = {
    ...input,
    ...runLength(rate),
    workload: {
      type: 'open',
      rate_rps: Math.max(rate, 1e-6),
      ...(w.arrivals ? { arrivals: w.arrivals } : {}),
      ...(w.timeout_ms !== undefined ? { timeout_ms: w.timeout_ms } : {}),
    },
  };
  if (knob) s = setPath(s, knob.path, knob.value);
  const r = validateScenario(s, 'scenario');
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  return r.scenario;
}

/** At most `max` slot indices spread over `n`, always keeping `must` (the peak). */
export function pickSlots(n: number, max: number, must: number): number[] {
  if (n <= max) return [...Array(n).keys()];
  const out = new Set<number>();
  for (let k = 0; k < max - 1; k++) out.add(Math.round((k * (n - 1)) / (max - 2)));
  out.add(must);
  return [...out].sort((a, b) => a - b);
}

function slotOf(t: number, rate: number, r: SimResult): SlotRun {
  const util: Record<string, number> = {};
  for (const [name, st] of Object.entries(r.stations)) util[name] = st.utilization;
  return {
    t,
    rate,
    p99_ms: r.latency_ms.p99,
    error_rate: r.error_rate,
    util,
    saturated: r.saturated,
  };
}

/**
 * Simulates the scenario over the forecast (`points`: slot time, mean and band top) and searches
 * the capacity for the band's peak. `knob` null: the one relieving the saturated station.
 */
export async function simulateForecast(
  input: ScenarioInput,
  points: readonly { t: number; mean: number; hi: number }[],
  sloMs: number,
  run: RunMany,
  knob: string | null = null,
  maxSlots = 24,
): Promise<ForecastSim> {
  let peak = 0;
  points.forEach((p, i) => {
    if (p.hi > points[peak].hi) peak = i;
  });
  const idx = pickSlots(points.length, maxSlots, peak);
  const results = await run(idx.map((i) => atRate(input, points[i].mean)));
  const slots = idx.map((i, k) => slotOf(points[i].t, points[i].mean, results[k]));
  const fail = slots.find((s) => !(s.p99_ms <= sloMs && s.error_rate <= MAX_ERROR_RATE));
  const rate = points[peak].hi;
  const capacity = await sizeCapacity(input, rate, sloMs, run, knob);
  return { slots, firstFail: fail ? fail.t : null, capacity };
}

/** Runs of one knob's search: value → result. */
type Tried = Map<number, SimResult>;

/**
 * Sizes the capacity for `rate` (see CapacityAnswer). `knob` fixes the first knob; null picks it
 * from the station that saturates first.
 */
export async function sizeCapacity(
  input: ScenarioInput,
  rate: number,
  sloMs: number,
  run: RunMany,
  knob: string | null = null,
): Promise<CapacityAnswer> {
  let evaluated = 0;
  let scenario = input;
  const changes: KnobChange[] = [];
  const at = async (path: string | null, v: number) => {
    evaluated++;
    const [r] = await run([atRate(scenario, rate, path ? { path, value: v } : undefined)]);
    return r;
  };
  let base = await at(null, 0);
  let limit: CapacityAnswer['limit'] = null;
  for (let round = 0; round < 3; round++) {
    if (meets(base, sloMs))
      return { changes, holds: true, rate, p99_ms: base.latency_ms.p99, evaluated, limit: null };
    const path = round === 0 && knob ? knob : knobFor(base.saturated, scenario);
    if (changes.some((c) => c.path === path)) break;
    const current = Number(getPath(scenario, path) ?? 1) || 1;
    const tried: Tried = new Map([[current, base]]);
    const max = Math.max(4, current * 64);
    let v = current;
    let r = base;
    while (!meets(r, sloMs) && v < max) {
      v = Math.min(max, Math.max(v + 1, v * 2));
      r = await at(path, v);
      tried.set(v, r);
    }
    if (meets(r, sloMs)) {
      // bisect between the last failing value and v
      const lo0 = Math.max(...[...tried].filter(([, x]) => !meets(x, sloMs)).map(([k]) => k), 0);
      let lo = lo0;
      let hi = v;
      let best = r;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (mid < 1) break;
        const m = await at(path, mid);
        if (meets(m, sloMs)) {
          hi = mid;
          best = m;
        } else lo = mid;
      }
      changes.push({ path, current, needed: hi });
      return { changes, holds: true, rate, p99_ms: best.latency_ms.p99, evaluated, limit: null };
    }
    // this knob alone cannot hold it: keep it where the bottleneck moved on, and size the next
    limit = { path, max };
    const moved = [...tried]
      .sort((a, b) => a[0] - b[0])
      .find(([, x]) => knobFor(x.saturated, scenario) !== path);
    if (!moved) break;
    changes.push({ path, current, needed: moved[0] });
    scenario = setPath(scenario, path, moved[0]);
    base = moved[1];
  }
  return { changes: [], holds: false, rate, p99_ms: base.latency_ms.p99, evaluated, limit };
}
