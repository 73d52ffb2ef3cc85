// One sweep point: apply the varied values to the scenario, validate and simulate. Shared by the
// worker threads and the in-thread mode, so both give the same result for the same point.
import { simulate } from '../../sim-core/index';
import type { SimResult } from '../../sim-core/result';
import { validateScenario } from '../../sim-core/validate';
import { setPath } from '../../sim-core/validate/paths';
import type { VaryDim } from './spec';

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
export function runPoint(init: WorkerInit, req: PointRequest): PointReply {
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
