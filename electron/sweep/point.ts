// One sweep point: apply the varied values to the scenario, validate and simulate. Shared by the
// worker threads and the in-thread mode, so both give the same result for the same point.
import type { SimOptions, SimResult } from '../../sim-core/result';
import type { Scenario } from '../../sim-core/schema';
import { validateScenario } from '../../sim-core/validate';
import { setPath } from '../../sim-core/validate/paths';
import type { VaryDim } from './spec';

/** The simulator's entry point (`simulate` of sim-core/index). */
export type Simulate = (scenario: Scenario, opts?: SimOptions) => SimResult;

/** Loads the simulator (lazily, so the sweep module loads even where it is not needed). */
export async function loadSimulate(): Promise<Simulate> {
  const spec = '../../sim-core/index';
  const mod = (await import(/* @vite-ignore */ spec)) as { simulate: Simulate };
  return mod.simulate;
}

/** What every worker is given once. */
export interface WorkerInit {
  scenario: unknown;
  vary: VaryDim[];
}
/** One point to run. */
export interface PointRequest {
  index: number;
  values: number[];
}
/** A point's outcome. */
export type PointReply =
  { index: number; ok: true; result: SimResult } | { index: number; ok: false; error: string };

/** Runs one point of a sweep (without the time series). */
export function runPoint(simulate: Simulate, init: WorkerInit, req: PointRequest): PointReply {
  try {
    let obj = init.scenario;
    init.vary.forEach((d, i) => (obj = setPath(obj, d.path, req.values[i])));
    const v = validateScenario(obj);
    if (!v.ok)
      return {
        index: req.index,
        ok: false,
        error: v.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
      };
    const result = simulate(v.scenario, { series: false });
    delete result.series;
    delete result.cdf;
    return { index: req.index, ok: true, result };
  } catch (e) {
    return { index: req.index, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
