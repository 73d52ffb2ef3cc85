// Replications run in the calling thread: for tests and small plans, and for a Web Worker that
// plans on its own. The CLI runs them on worker threads instead (electron/sweep/pool.ts).
import type { SimResult } from '../result';
import { simulate } from '../simulate';
import { validateScenario } from '../validate';
import { setPath } from '../validate/paths';
import type { RunReplication } from './plan';

/** Runs `scenario` (as written) with values at `paths` and a seed, here and now. */
export function localRunner(scenario: unknown, paths: readonly string[]): RunReplication {
  return async (values, seed): Promise<SimResult> => {
    let obj = scenario;
    paths.forEach((p, i) => (obj = setPath(obj, p, values[i])));
    obj = setPath(obj, 'seed', seed);
    const v = validateScenario(obj);
    if (!v.ok)
      throw new Error(
        v.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
      );
    const r = simulate(v.scenario, { series: false });
    delete r.series;
    delete r.cdf;
    return r;
  };
}
